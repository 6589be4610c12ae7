// Package openai is the AI layer's remote model: any server that speaks
// OpenAI's chat completions (Cloudflare Workers AI's OpenAI-compatible
// endpoint, Ollama, vLLM, llama.cpp server, OpenAI itself), through the
// official client, github.com/openai/openai-go/v3.
package openai

import (
	"context"
	"errors"
	"net/http"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/avatarimaging/avatarcrm/internal/ai"
)

// Config says where the server is.
type Config struct {
	// BaseURL is the API root, e.g.
	// https://api.cloudflare.com/client/v4/accounts/ACCOUNT/ai/v1 or
	// http://localhost:11434/v1 (the client appends /chat/completions).
	BaseURL string
	// APIKey is sent as a Bearer token; empty sends none (Ollama).
	APIKey string
	// HTTPClient, if set, replaces http.DefaultClient (tests).
	HTTPClient *http.Client
}

// Client implements ai.Model.
type Client struct {
	c oai.Client
}

// New returns a client for cfg. It makes no request.
func New(cfg Config) *Client {
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		// The AI layer has its own 2 s budget and falls back to the
		// built-in engine; a retry would only spend the budget.
		option.WithMaxRetries(0),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	} else {
		// Without this the client would send OPENAI_API_KEY from the
		// environment to whatever server BaseURL names.
		opts = append(opts, option.WithAPIKey(""))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	return &Client{c: oai.NewClient(opts...)}
}

// Complete implements ai.Model: one chat completion with a system and a
// user message, asking for JSON the way the model supports.
func (c *Client) Complete(ctx context.Context, req ai.Completion) (ai.CompletionResult, error) {
	p := oai.ChatCompletionNewParams{
		Model: shared.ChatModel(req.Model),
		Messages: []oai.ChatCompletionMessageParamUnion{
			oai.SystemMessage(req.System),
			oai.UserMessage(req.User),
		},
		Temperature: oai.Float(0),
	}
	if req.MaxTokens > 0 {
		// max_tokens, not max_completion_tokens: the compatible servers
		// (Workers AI, Ollama, llama.cpp) read the older name.
		p.MaxTokens = oai.Int(req.MaxTokens)
	}
	switch req.Mode {
	case ai.JSONSchema:
		p.ResponseFormat = oai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
				Name: req.SchemaName, Schema: req.Schema,
			}},
		}
	case ai.JSONObject:
		p.ResponseFormat = oai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
	}
	res, err := c.c.Chat.Completions.New(ctx, p)
	if err != nil {
		return ai.CompletionResult{}, classify(ctx, err)
	}
	if len(res.Choices) == 0 {
		return ai.CompletionResult{}, &ai.ModelError{Reason: ai.FallbackInvalidJSON, Err: errors.New("the answer has no choices")}
	}
	msg := res.Choices[0].Message
	if msg.Content == "" && msg.Refusal != "" {
		return ai.CompletionResult{}, &ai.ModelError{Reason: ai.FallbackRejected, Err: errors.New("the model refused: " + msg.Refusal)}
	}
	return ai.CompletionResult{
		Content: msg.Content, Model: res.Model,
		InputTokens: res.Usage.PromptTokens, OutputTokens: res.Usage.CompletionTokens,
	}, nil
}

// classify turns the client's error into the fallback reason.
func classify(ctx context.Context, err error) error {
	var apiErr *oai.Error
	switch {
	case errors.As(err, &apiErr):
		reason := ai.FallbackHTTPError
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests:
			reason = ai.FallbackRateLimited
		case apiErr.StatusCode >= 500:
			reason = ai.FallbackServerError
		}
		return &ai.ModelError{Reason: reason, Status: apiErr.StatusCode, Err: err}
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return &ai.ModelError{Reason: ai.FallbackTimeout, Err: err}
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return &ai.ModelError{Reason: ai.FallbackTimeout, Err: err}
	}
	return &ai.ModelError{Reason: ai.FallbackNetwork, Err: err}
}

var _ ai.Model = (*Client)(nil)
