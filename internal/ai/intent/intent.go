// Package intent classifies a patient's SMS reply to a reminder or a
// confirmation: confirm, cancel, reschedule, question, opt_out, opt_in or
// other.
//
// Two parts decide. Rules (rules.go) catch every STOP-like message and
// every START-like one first: a missed STOP breaks the Spam Act, so those
// are not left to statistics. Everything else goes to a small multinomial
// logistic regression over hashed words, word pairs and character
// n-grams, trained when first used from the labelled messages embedded
// from train.csv (about 600, see docs/AI.md). Training takes a few tens of
// milliseconds and is deterministic; a prediction takes microseconds.
package intent

import (
	"bytes"
	_ "embed"
	"math"
	"slices"
	"sort"
	"sync"
)

// The labels, in the order of Prediction.Scores.
const (
	Confirm    = "confirm"
	Cancel     = "cancel"
	Reschedule = "reschedule"
	Question   = "question"
	OptOut     = "opt_out"
	OptIn      = "opt_in"
	Other      = "other"
)

// Labels lists every label; Prediction.Scores follows this order.
var Labels = []string{Confirm, Cancel, Reschedule, Question, OptOut, OptIn, Other}

// NumLabels is len(Labels).
const NumLabels = 7

//go:embed train.csv
var trainCSV []byte

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	// index maps a feature hash to its row in weights.
	index   map[uint32]int32
	weights []float64 // row-major: feature × label
	bias    []float64
	// boost scales a feature's value: cue-lexicon features count more
	// than one character trigram among a hundred (see cueBoost).
	boost []float64
}

// Prediction is what Predict decided about one message.
type Prediction struct {
	// Label is one of Labels.
	Label string
	// Confidence is the probability of Label, 0 to 1; a rule's decision
	// has confidence 1.
	Confidence float64
	// Scores are the classifier's probabilities in the order of Labels
	// (all zero when a rule decided).
	Scores [NumLabels]float64
	// Rule names the rule that decided ("opt_out", "opt_in"), or is empty
	// when the classifier did.
	Rule string
	// Matched is the words the rule matched, e.g. "stop texting".
	Matched string
	// Suspect is set when the classifier leaned to opt_out or opt_in but
	// no rule matched. Label is then the best other label, and the caller
	// should have a person read the message: only the rules opt people
	// out or in, so that what does it can be written down and tested.
	Suspect string
}

var (
	defaultOnce  sync.Once
	defaultModel *Model
	defaultErr   error
)

// Default returns the model trained on the embedded examples, training it
// on first use. It panics if the embedded file is broken, which a test
// catches before any release.
func Default() *Model {
	defaultOnce.Do(func() {
		ex, err := ReadCSV(bytes.NewReader(trainCSV))
		if err == nil {
			defaultModel, err = Train(ex, TrainOptions{})
		}
		defaultErr = err
	})
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultModel
}

// TrainingExamples returns the embedded training examples (for the
// evaluation command's cross-validation and for tests).
func TrainingExamples() []Example {
	ex, err := ReadCSV(bytes.NewReader(trainCSV))
	if err != nil {
		panic(err)
	}
	return ex
}

var featPool = sync.Pool{New: func() any { s := make([]uint32, 0, 512); return &s }}

// Predict classifies one message.
func (m *Model) Predict(text string) Prediction {
	n := Normalize(text)
	if ok, matched := MatchOptOut(n); ok {
		return Prediction{Label: OptOut, Confidence: 1, Rule: OptOut, Matched: matched}
	}
	if ok, matched := MatchOptIn(n); ok {
		return Prediction{Label: OptIn, Confidence: 1, Rule: OptIn, Matched: matched}
	}
	var p Prediction
	m.scores(n, p.Scores[:])
	best, top := -1, 0
	for i, s := range p.Scores {
		if s > p.Scores[top] {
			top = i
		}
		if Labels[i] == OptOut || Labels[i] == OptIn {
			continue
		}
		if best < 0 || s > p.Scores[best] {
			best = i
		}
	}
	if top != best {
		p.Suspect = Labels[top]
	}
	p.Label, p.Confidence = Labels[best], p.Scores[best]
	return p
}

// scores writes the label probabilities of a normalised message to out.
func (m *Model) scores(normalized string, out []float64) {
	bp := featPool.Get().(*[]uint32)
	hs := dedupe(features((*bp)[:0], normalized))
	ids := make([]int32, 0, 64)
	for _, h := range hs {
		if id, ok := m.index[h]; ok {
			ids = append(ids, id)
		}
	}
	*bp = hs
	featPool.Put(bp)
	x := 0.0
	if len(hs) > 0 {
		// Unknown features count in the norm, as they did in training:
		// a message of unseen words is a weak signal, not a strong one.
		x = 1 / math.Sqrt(float64(len(hs)))
	}
	m.scoreIDs(ids, x, out)
	softmax(out)
}

// scoreIDs writes the logits of features ids, each of value x, to out.
func (m *Model) scoreIDs(ids []int32, x float64, out []float64) {
	k := len(Labels)
	copy(out, m.bias)
	for _, id := range ids {
		row := m.weights[int(id)*k : int(id)*k+k]
		v := x * m.boost[id]
		for c := range k {
			out[c] += row[c] * v
		}
	}
}

// Evidence returns up to n words of text that pushed the classifier most
// towards label, strongest first: the words a person can check against
// the message ("cant", "make").
func (m *Model) Evidence(text, label string, n int) []string {
	li := slices.Index(Labels, label)
	if li < 0 {
		return nil
	}
	k := len(Labels)
	type ev struct {
		word string
		w    float64
	}
	var evs []ev
	seen := map[string]bool{}
	for _, tok := range Tokens(Normalize(text)) {
		if seen[tok] {
			continue
		}
		seen[tok] = true
		id, ok := m.index[hashString(hashByte(fnvOffset, nsWord), tok)]
		if !ok {
			continue
		}
		row := m.weights[int(id)*k : int(id)*k+k]
		// How much more this word favours label than the average label.
		mean := 0.0
		for _, w := range row {
			mean += w
		}
		mean /= float64(k)
		if d := row[li] - mean; d > 0.05 {
			evs = append(evs, ev{tok, d})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].w > evs[j].w })
	out := make([]string, 0, min(n, len(evs)))
	for i := 0; i < len(evs) && i < n; i++ {
		out = append(out, evs[i].word)
	}
	return out
}
