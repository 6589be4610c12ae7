package ai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// request is one use case's trip to the remote model.
type request[T any] struct {
	uc       UseCase
	location string
	// builtin is the built-in engine's answer, computed first: it is the
	// fallback, and for several use cases the floor the model refines.
	builtin T
	// answer returns the Answer inside a result, to fill in.
	answer func(*T) *Answer
	// prompt builds the system and user prompts (already redacted). It
	// is called only when a remote call is due.
	prompt func() (system, user string)
	schema *schema
	// maxTokens bounds the answer; default 300.
	maxTokens int64
	// accept turns the model's JSON (already valid against the schema)
	// into a result, or rejects it (FallbackRejected) when its content
	// fails the use case's own checks.
	accept func(raw []byte) (T, error)
	// final is set when the built-in answer may not be changed by any
	// model (an opt-out found by the rules): no remote call is made.
	final bool
}

// errRejected marks what accept refuses.
var errRejected = errors.New("rejected")

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errRejected}, args...)...)
}

// run answers r: from the remote model when one is configured, the
// budget allows and the answer passes every check, else from the
// built-in engine. Either way it reports one UsageRecord.
func run[T any](ctx context.Context, a *AI, r request[T]) T {
	started := time.Now()
	rec := UsageRecord{At: a.now(), LocationID: r.location, UseCase: r.uc, Engine: EngineBuiltin, Model: BuiltinModel}
	res, fallback, ok := askRemote(ctx, a, r, &rec)
	if !ok {
		res = r.builtin
		if fallback != "" {
			r.answer(&res).Fallback = fallback
			rec.Fallback = fallback
			a.log.InfoContext(ctx, "ai: built-in engine answered instead", "use_case", r.uc, "fallback", fallback, "location", r.location)
		}
	}
	rec.Latency = time.Since(started)
	if a.o.Usage != nil {
		if err := a.o.Usage.RecordUsage(ctx, rec); err != nil {
			a.log.ErrorContext(ctx, "ai: recording usage", "err", err, "use_case", r.uc)
		}
	}
	return res
}

// askRemote asks the model. ok reports an accepted remote answer; else
// fallback says why not ("" when no remote call was due at all).
func askRemote[T any](ctx context.Context, a *AI, r request[T], rec *UsageRecord) (res T, fallback string, ok bool) {
	model := a.modelFor(r.uc)
	if a.o.Model == nil || model == "" || r.final {
		return res, "", false
	}
	rec.Model = model
	var budget BudgetStatus
	if a.o.Budget != nil {
		st, err := a.o.Budget.BudgetStatus(ctx, r.location, rec.At)
		if err != nil {
			a.log.ErrorContext(ctx, "ai: reading the budget", "err", err, "location", r.location)
			return res, FallbackBudgetUnavailable, false
		}
		if st.Exhausted() {
			return res, FallbackBudgetExhausted, false
		}
		budget = st
	}
	system, user := r.prompt()
	mode := a.jsonMode(model)
	if mode == JSONNone || mode == JSONObject {
		// Without a schema-constrained decoder the prompt has to carry
		// the schema.
		user += "\n\nAnswer with one JSON object and nothing else, matching this JSON schema:\n" + string(r.schema.raw)
	}
	req := Completion{
		Model: model, System: system, User: user, SchemaName: r.schema.name, Schema: r.schema.doc,
		Mode: mode, MaxTokens: r.maxTokens,
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = 300
	}
	key := cacheKey(r.uc, req, r.schema.raw)
	content, hit := a.cache.get(key)
	if hit {
		rec.CacheHit = true
	} else {
		cctx, cancel := context.WithTimeout(ctx, a.o.Timeout)
		out, err := a.o.Model.Complete(cctx, req)
		cancel()
		if err != nil {
			return res, fallbackOf(err, cctx), false
		}
		content = out.Content
		rec.InputTokens, rec.OutputTokens = out.InputTokens, out.OutputTokens
		rec.CostIn, rec.CostOut = a.o.Prices[model].Cost(out.InputTokens, out.OutputTokens)
		rec.Alert = budget.Crossed(rec.Cost())
	}
	raw := stripFences(content)
	v, err := decodeJSON(raw)
	if err != nil {
		return res, FallbackInvalidJSON, false
	}
	if err := r.schema.sch.Validate(v); err != nil {
		a.log.InfoContext(ctx, "ai: answer does not match the schema", "use_case", r.uc, "err", err)
		return res, FallbackSchemaInvalid, false
	}
	res, err = r.accept(raw)
	if err != nil {
		a.log.InfoContext(ctx, "ai: answer refused", "use_case", r.uc, "err", err)
		return res, FallbackRejected, false
	}
	ans := r.answer(&res)
	ans.Engine, ans.Model, ans.CacheHit = a.o.Provider, model, hit
	rec.Engine = a.o.Provider
	if !hit {
		a.cache.put(key, content)
	}
	return res, "", true
}

// fallbackOf classifies a Model error.
func fallbackOf(err error, ctx context.Context) string {
	var me *ModelError
	switch {
	case errors.As(err, &me):
		return me.Reason
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return FallbackTimeout
	}
	return FallbackNetwork
}

// stripFences removes the Markdown code fence small models put around
// JSON even when told not to.
func stripFences(s string) []byte {
	b := bytes.TrimSpace([]byte(s))
	if bytes.HasPrefix(b, []byte("```")) {
		b = b[3:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 && i < 12 {
			b = b[i+1:] // "json\n"
		}
		b = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("```")))
	}
	return b
}
