package ai

import (
	"fmt"
	"strconv"
	"strings"
)

// Nanodollars are billionths of a US dollar, the unit of every AI cost
// and budget. Workers AI prices to three decimals of a dollar per
// million tokens are whole nanodollars per token, so a call's cost is
// tokens × price with no rounding at all; cents would round a typical
// call (a few hundred tokens, a few ten-thousandths of a cent) to zero.
// An int64 holds 9.2 billion dollars. See docs/DECISIONS.md.
type Nanodollars int64

// Dollar is one US dollar in Nanodollars.
const Dollar Nanodollars = 1_000_000_000

// Cents converts whole US cents (how budgets are entered) to
// Nanodollars.
func Cents(c int64) Nanodollars { return Nanodollars(c) * 10_000_000 }

// String formats n as dollars with as many decimals as it needs, at
// least two: "$0.00", "$1.50", "$0.000282".
func (n Nanodollars) String() string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	whole, frac := n/Dollar, n%Dollar
	f := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	for len(f) < 2 {
		f += "0"
	}
	return sign + "$" + strconv.FormatInt(int64(whole), 10) + "." + f
}

// Price is what a model costs, in micro-dollars per million tokens
// (so $0.282 per million is 282000).
type Price struct {
	InputPerMillion  int64
	OutputPerMillion int64
}

// Cost returns what a call with these token counts costs, input and
// output apart.
func (p Price) Cost(inputTokens, outputTokens int64) (in, out Nanodollars) {
	// micro-dollars per million tokens = nanodollars per thousand tokens.
	return Nanodollars(inputTokens * p.InputPerMillion / 1000), Nanodollars(outputTokens * p.OutputPerMillion / 1000)
}

// DefaultPrices are Cloudflare Workers AI's prices for the two Llama
// models the plan named ($0.011 per 1,000 neurons, converted per million
// tokens; see VENDORS.md).
var DefaultPrices = map[string]Price{
	"@cf/meta/llama-3.1-8b-instruct": {InputPerMillion: 282_000, OutputPerMillion: 827_000},
	"@cf/meta/llama-3.2-1b-instruct": {InputPerMillion: 27_000, OutputPerMillion: 201_000},
}

// ParseDollars reads a decimal number of dollars ("0.282") as
// micro-dollars, exactly (no floating point). At most six decimals.
func ParseDollars(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("%q has more than six decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("%q is not an amount of dollars such as 0.282", s)
	}
	f := int64(0)
	if frac != "" {
		f, err = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("%q is not an amount of dollars such as 0.282", s)
		}
	}
	return w*1_000_000 + f, nil
}

// ParsePrices reads a price table: comma-separated
// "model=input/output" entries, in dollars per million tokens, e.g.
// "@cf/meta/llama-3.1-8b-instruct=0.282/0.827,llama3.2=0/0".
func ParsePrices(s string) (map[string]Price, error) {
	out := map[string]Price{}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		eq := strings.LastIndex(entry, "=")
		if eq <= 0 {
			return nil, fmt.Errorf("%q is not model=input/output (dollars per million tokens)", entry)
		}
		model, prices := strings.TrimSpace(entry[:eq]), entry[eq+1:]
		in, outp, ok := strings.Cut(prices, "/")
		if !ok {
			return nil, fmt.Errorf("%q: the price must be input/output, e.g. 0.282/0.827", entry)
		}
		pi, err := ParseDollars(in)
		if err != nil {
			return nil, fmt.Errorf("%s: input price %w", model, err)
		}
		po, err := ParseDollars(outp)
		if err != nil {
			return nil, fmt.Errorf("%s: output price %w", model, err)
		}
		out[model] = Price{InputPerMillion: pi, OutputPerMillion: po}
	}
	return out, nil
}

// ParseJSONModes reads "model=json_schema|json_object|none" entries,
// comma-separated.
func ParseJSONModes(s string) (map[string]JSONMode, error) {
	out := map[string]JSONMode{}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		eq := strings.LastIndex(entry, "=")
		if eq <= 0 {
			return nil, fmt.Errorf("%q is not model=mode", entry)
		}
		m := JSONMode(strings.TrimSpace(entry[eq+1:]))
		switch m {
		case JSONSchema, JSONObject, JSONNone:
		default:
			return nil, fmt.Errorf("%q: the mode must be json_schema, json_object or none", entry)
		}
		out[strings.TrimSpace(entry[:eq])] = m
	}
	return out, nil
}

// DefaultJSONModes are the modes of the models the plan named: Llama
// 3.2 1B on Workers AI has no JSON mode.
var DefaultJSONModes = map[string]JSONMode{
	"@cf/meta/llama-3.1-8b-instruct": JSONSchema,
	"@cf/meta/llama-3.2-1b-instruct": JSONNone,
}
