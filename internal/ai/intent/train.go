package intent

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Example is one labelled message.
type Example struct {
	Text, Label string
}

// ReadCSV reads labelled messages from CSV with the header "text,label"
// (in either order; other columns are ignored). Every label must be one of
// Labels.
func ReadCSV(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("intent: reading the header: %w", err)
	}
	ti, li := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text":
			ti = i
		case "label":
			li = i
		}
	}
	if ti < 0 || li < 0 {
		return nil, fmt.Errorf("intent: the header must name the columns text and label, got %q", strings.Join(head, ","))
	}
	var out []Example
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("intent: %w", err)
		}
		if len(rec) <= max(ti, li) {
			return nil, fmt.Errorf("intent: line %d has %d columns", line, len(rec))
		}
		label := strings.TrimSpace(rec[li])
		if !slices.Contains(Labels, label) {
			return nil, fmt.Errorf("intent: line %d: unknown label %q (want one of %s)", line, label, strings.Join(Labels, ", "))
		}
		out = append(out, Example{Text: rec[ti], Label: label})
	}
}

// TrainOptions are the hyper-parameters of Train. The zero value gives the
// defaults the shipped model is trained with.
type TrainOptions struct {
	// Epochs over the examples; default 30.
	Epochs int
	// Rate is AdaGrad's learning rate; default 0.2.
	Rate float64
	// L2 is the weight decay per update; default 1e-5.
	L2 float64
	// Seed orders the examples in each epoch; the same seed gives the
	// same model, bit for bit.
	Seed uint64
}

// Train fits a multinomial logistic regression (softmax) over the hashed
// features of the examples, with AdaGrad and L2 decay, in a fixed order:
// the same examples and options always give the same model.
func Train(examples []Example, o TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, fmt.Errorf("intent: no examples to train on")
	}
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.Rate == 0 {
		o.Rate = 0.2
	}
	if o.L2 == 0 {
		o.L2 = 1e-5
	}
	m := &Model{index: map[uint32]int32{}}
	type row struct {
		feats []int32
		label int
	}
	rows := make([]row, len(examples))
	for i, ex := range examples {
		li := slices.Index(Labels, ex.Label)
		if li < 0 {
			return nil, fmt.Errorf("intent: example %d: unknown label %q", i+1, ex.Label)
		}
		hs := dedupe(features(nil, Normalize(ex.Text)))
		fs := make([]int32, len(hs))
		for j, h := range hs {
			id, ok := m.index[h]
			if !ok {
				id = int32(len(m.index))
				m.index[h] = id
				b := 1.0
				if boosted[h] {
					b = cueBoost
				}
				m.boost = append(m.boost, b)
			}
			fs[j] = id
		}
		rows[i] = row{fs, li}
	}
	k := len(Labels)
	m.weights = make([]float64, len(m.index)*k)
	m.bias = make([]float64, k)
	grad2 := make([]float64, len(m.weights))
	bias2 := make([]float64, k)
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	probs := make([]float64, k)
	for range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, ri := range order {
			r := rows[ri]
			x := 1 / math.Sqrt(float64(len(r.feats)))
			m.scoreIDs(r.feats, x, probs)
			softmax(probs)
			for c := range k {
				g := probs[c]
				if c == r.label {
					g--
				}
				bias2[c] += g * g
				m.bias[c] -= o.Rate * g / (math.Sqrt(bias2[c]) + 1e-8)
				gx := g * x
				for _, f := range r.feats {
					w := int(f)*k + c
					gw := gx*m.boost[f] + o.L2*m.weights[w]
					grad2[w] += gw * gw
					m.weights[w] -= o.Rate * gw / (math.Sqrt(grad2[w]) + 1e-8)
				}
			}
		}
	}
	return m, nil
}

func dedupe(hs []uint32) []uint32 {
	slices.Sort(hs)
	return slices.Compact(hs)
}

func softmax(v []float64) {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = max(mx, x)
	}
	sum := 0.0
	for i, x := range v {
		v[i] = math.Exp(x - mx)
		sum += v[i]
	}
	for i := range v {
		v[i] /= sum
	}
}
