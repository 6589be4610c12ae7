package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/eval"
	"github.com/avatarimaging/avatarcrm/internal/ai/intent"
	"github.com/avatarimaging/avatarcrm/internal/ai/provider"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

const aiUsage = `Usage:
  avatarcrm ai eval intent --file FILE.csv        SMS replies labelled confirm, cancel, reschedule, question, opt_out, opt_in, other (columns text,label)
  avatarcrm ai eval warmness --file FILE.json     contact scenarios labelled cold, warm or hot
  avatarcrm ai eval reportquery --file FILE.json  questions with their expected report requests

Each runs the configured engine (AVATARCRM_AI_* settings or --ai-* flags;
the built-in one by default) and prints per-label precision and recall, a
confusion table and, last, "accuracy: 0.953 (110/116)".
`

// aiCmd runs "avatarcrm ai …".
func aiCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "eval" {
		fmt.Fprint(stderr, aiUsage)
		return errors.New("ai: say what to evaluate: ai eval intent|warmness|reportquery --file FILE")
	}
	what := args[1]
	fs := flag.NewFlagSet("ai eval "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "labelled file to evaluate")
	readAI := config.AIFlags(fs, getenv)
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, aiUsage)
		return errors.New("ai eval: --file FILE is required (and nothing else)")
	}
	cfg, err := readAI()
	if err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("ai eval: %w", err)
	}
	defer f.Close()
	// Usage stays in memory: an evaluation spends no location's budget.
	usage := &ai.MemoryUsage{}
	svc := provider.New(cfg, provider.Deps{Usage: usage, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	engine := "builtin"
	if svc.Remote() {
		engine = fmt.Sprintf("openai at %s (fast %s, smart %s, timeout %s, redaction %v)", cfg.BaseURL, cfg.ModelFast, cfg.ModelSmart, cfg.Timeout, cfg.Redact)
	}
	fmt.Fprintf(stdout, "avatarcrm ai eval %s --file %s\nengine: %s\n", what, *file, engine)
	start := time.Now()
	switch what {
	case "intent":
		ex, err := intent.ReadCSV(f)
		if err != nil {
			return err
		}
		_, err = evalWith(stderr, start, usage, func() (eval.Result, error) { return eval.Intent(ctx, svc, ex, stdout) })
		return err
	case "warmness":
		set, err := eval.ReadWarmnessSet(f)
		if err != nil {
			return err
		}
		_, err = evalWith(stderr, start, usage, func() (eval.Result, error) { return eval.Warmness(ctx, svc, set, stdout) })
		return err
	case "reportquery":
		set, err := reportquery.ReadEvalSet(f)
		if err != nil {
			return err
		}
		_, err = evalWith(stderr, start, usage, func() (eval.Result, error) { return eval.ReportQuery(ctx, svc, set, stdout) })
		return err
	}
	fmt.Fprint(stderr, aiUsage)
	return fmt.Errorf("ai eval: unknown set %q (want intent, warmness or reportquery)", what)
}

// evalWith runs an evaluation, then reports its time and what its
// remote calls cost on stderr, so that the accuracy stays the last line
// of stdout.
func evalWith(stderr io.Writer, start time.Time, usage *ai.MemoryUsage, run func() (eval.Result, error)) (eval.Result, error) {
	r, err := run()
	var cost ai.Nanodollars
	for _, rec := range usage.Records() {
		cost += rec.Cost()
	}
	fmt.Fprintf(stderr, "%d calls in %s, remote cost %s\n", len(usage.Records()), time.Since(start).Round(time.Millisecond), cost)
	return r, err
}
