package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// A person is one generated contact, as typed at a front desk.
type person struct {
	First, Last string
	Phone       string // national format ("0412 345 678"), empty for none
	Email       string
	DOB         string // 1980-04-23, empty for none
	Source      string
	Pipeline    string
	Stage       string
	SMS, Mail   bool
	Tags        []string
}

// A distribution makes the n-th contact of a data set; the same seed and
// index always give the same person, so the search queries of the plan can
// name contacts that exist.
type distribution struct {
	name  string
	first func(r *rand.Rand) string
	last  func(r *rand.Rand) string
}

// worstFirst and worstLast are the worst case of the issue: 20 first names
// times 20 surnames, so every name query matches thousands of contacts
// (each surname about 5,000 of 100,000). They are the bench package's
// fixture names (with Robinson, of the "charlote robinsn"), so the
// query shapes are the same as BenchmarkSearchContacts'.
var (
	worstFirst = []string{"Olivia", "Charlotte", "Amelia", "Isla", "Mia", "Grace", "Chloe", "Oliver", "Noah", "Jack",
		"William", "James", "Lucas", "Priya", "Wei", "Minh", "Ahmed", "Fatima", "Giulia", "Connor"}
	worstLast = []string{"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Lee", "Chen", "Wang",
		"Singh", "Patel", "Robinson", "Rossi", "Papadopoulos", "Haddad", "O'Brien", "Murphy", "Tran", "Kelly"}
)

// Realistic Australian names: given names of several generations and
// backgrounds, most common first, and the most common surnames (ABS and
// state registry lists, roughly in order; Nguyen, Singh, Patel, Chen and
// Wang are among the most common in Sydney). Frequencies fall off like a
// Zipf law, and 40% of contacts get a rarer surname from a long tail of
// generated ones, as real lists have.
var (
	ausFirst = strings.Fields(`Jack Oliver William Noah James Thomas Charlotte Olivia Amelia Isla Mia Ava Grace Chloe
		Emily Sophie Lucas Leo Henry Ethan Liam Lachlan Joshua Samuel Daniel Benjamin Matthew Michael David John Peter
		Robert Mark Andrew Paul Stephen Christopher Anthony Richard Ryan Nathan Luke Jacob Alexander Harrison Cooper
		Mason Hunter Riley Max Archie Hudson Isaac Harry Charlie Sarah Jessica Emma Hannah Georgia Ella Ruby Zoe Lily
		Sienna Matilda Evie Willow Harper Madison Lauren Rebecca Rachel Nicole Michelle Kate Megan Laura Amy Jennifer
		Lisa Karen Susan Margaret Helen Patricia Elizabeth Mary Anne Julie Jane Kylie Melissa Natalie Tania Joanne
		Deborah Christine Wendy Sharon Dianne Barbara Carol Gary Wayne Craig Darren Brett Shane Glenn Scott Jason Adam
		Ben Tim Nick Sam Tom Alex Chris Dylan Tyler Jordan Kai Aiden Elijah Zachary Levi Xavier Angus Hamish Fraser
		Wei Ming Jun Hui Xin Li Mei Yan Minh Linh Anh Thanh Duc Huong Priya Aarav Arjun Rohan Anjali Neha Harpreet
		Gurpreet Mohammed Ahmed Ali Omar Hassan Fatima Aisha Zainab Maryam Yusuf Giulia Marco Luca Francesca Sofia
		Giorgos Nikos Eleni Maria Dimitri Aroha Tane Mere Wiremu Ana Jose Carlos Lucia Mateo Diego Sione Mele Hiroshi
		Yuki Sakura Min-jun Ji-woo Seo-yeon Tariq Layla Rania Elias Karim Noor Sana Imran Bilal Rafael Gabriel Isabella
		Alice Evelyn Poppy Frankie Florence Violet Hazel Ivy Aria Scarlett Eleanor Stella Penelope Audrey Abigail
		Jasmine Leah Tahlia Brooke Jade Ashleigh Caitlin Bianca Courtney Danielle Kirsty Renee Samantha Stephanie
		Amanda Emma-Jane Bronwyn Colleen Gail Heather Judith Lynette Maureen Robyn Sandra Valerie Yvonne`)
	ausLast = strings.Fields(`Smith Jones Williams Brown Wilson Taylor Nguyen Johnson Martin White Anderson Walker Thompson
		Thomas Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel Khan Singh
		Chen Wang Li Zhang Tran Le Pham Kaur Harris Lewis Young Mitchell Campbell Clark Turner Scott Hill Moore Cooper
		Ward Morris Edwards Baker Murphy Hughes Collins Stewart Morgan Bell James Bennett Cook Miller Adams Davies
		Richardson Watson Allen Reid Murray Cox Phillips Parker Graham Hamilton Shaw Kennedy Russell Carter Marshall
		Simpson Gray Ross Walsh Johnston Hunt Ellis Mills Wong Lim Tan Ng Liu Huang Yang Zhao Wu Zhou Xu Sun Ma Hu Guo
		He Lin Luo Vo Hoang Huynh Phan Vu Dang Bui Do Ho Ngo Duong Ly Sharma Kumar Gupta Shah Reddy Rao Mehta Joshi
		Ahmed Ali Hussain Hassan Ibrahim Haddad Khoury Nasser Saleh Papadopoulos Georgiou Nikolaou Konstantinou
		Dimitriou Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco O'Brien O'Connor O'Neill
		O'Sullivan McDonald McKenzie MacLeod McGrath Fitzgerald Byrne Doyle Gallagher Quinn Sullivan Kearney Brennan
		Lynch Burke Dunn Barnes Fisher Fraser Gibson Gordon Grant Hayes Henderson Holmes Howard Hudson Jenkins Knight
		Lane Lawrence Long Mason Matthews Palmer Pearce Perry Porter Price Reynolds Rogers Rose Saunders Spencer Stone
		Sutton Webb Wells West Wheeler Williamson Woods Chapman Dawson Day Dixon Ferguson Fletcher Ford Foster Francis
		Gardner Gill Harvey Hart Jordan Kerr Kim Park Choi Tanaka Suzuki Sato Garcia Rodriguez Martinez Lopez Silva
		Santos Fernandes Pereira Costa Kowalski Nowak Novak Horvat Petrovic Jovanovic Nikolic Ivanov Popov Schmidt
		Muller Schneider Fischer Weber Meyer Wagner Becker Hoffmann Jansen DeJong Bakker Visser Smits Larsen Hansen
		Nielsen Andersen Johansson Karlsson Nilsson Tuilagi Fifita Taufa Ngata Parata Te-Rangi Walters Cunningham`)
	// Roots and endings of the long tail of rarer surnames.
	tailRoots = strings.Fields(`Ab Ash Bar Black Brad Brook Cald Carr Chat Craw Dal Dun El Fair Farr Gold Green Hap Hart
		Hay Hol Kings Lang Lock Mar Mid Mor New North Oak Pen Rad Red Ridge Ros Sand Shel South Stan Strat Thorn Wal
		War West Whit Win Wood Yar Kow Lew Nov Stan Brad Kar Pap Kon Vlad Ant Ber`)
	tailEnds = strings.Fields(`ton ley field wood son ham er ridge worth by more well ford stone cliffe lock ski czyk
		opoulos idis escu ovic ini etti berg stein mann sen`)
)

// zipf picks index k of n with probability proportional to 1/(k+1)^s.
type zipf struct{ cdf []float64 }

func newZipf(n int, s float64) *zipf {
	z := &zipf{cdf: make([]float64, n)}
	sum := 0.0
	for k := range n {
		sum += 1 / math.Pow(float64(k+1), s)
		z.cdf[k] = sum
	}
	for k := range z.cdf {
		z.cdf[k] /= sum
	}
	return z
}

func (z *zipf) pick(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(z.cdf)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if z.cdf[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func distributionNamed(name string) (distribution, error) {
	switch name {
	case "worst":
		return distribution{
			name:  name,
			first: func(r *rand.Rand) string { return worstFirst[r.IntN(len(worstFirst))] },
			last:  func(r *rand.Rand) string { return worstLast[r.IntN(len(worstLast))] },
		}, nil
	case "realistic":
		zf, zl := newZipf(len(ausFirst), 0.5), newZipf(len(ausLast), 0.5)
		return distribution{
			name:  name,
			first: func(r *rand.Rand) string { return ausFirst[zf.pick(r)] },
			last: func(r *rand.Rand) string {
				if r.IntN(10) < 4 {
					return tailRoots[r.IntN(len(tailRoots))] + tailEnds[r.IntN(len(tailEnds))]
				}
				return ausLast[zl.pick(r)]
			},
		}, nil
	}
	return distribution{}, fmt.Errorf("unknown name distribution %q: want realistic or worst", name)
}

var (
	sources   = []string{"meta_ads", "google_ads", "referral", "gp_referral", "wix", "manychat", "walk_in", "other"}
	pipelines = []struct {
		name   string
		weight int
		stages []string
	}{
		{"lead", 4, []string{"new_lead", "contacted", "qualified", "booked"}},
		{"pre_appointment", 2, []string{"confirmed", "reminded", "ready"}},
		{"post_appointment", 3, []string{"completed", "results_sent", "recalled"}},
		{"partnership", 1, []string{"referral_sent", "partnership_active"}},
	}
)

// bulkPhone is the phone of the i-th generated contact: unique per i below
// 1,000,000, in the 040x–043x mobile ranges (the plan's creates use 0489).
func bulkPhone(r *rand.Rand, i int) string {
	return fmt.Sprintf("04%d%d %03d %03d", r.IntN(4), r.IntN(10), i/1000%1000, i%1000)
}

// personAt returns contact i of the distribution with seed: 80% have a
// phone, 60% an email, half a date of birth, a quarter a tag.
func (d distribution) personAt(seed uint64, i int) person {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	p := person{First: d.first(r), Last: d.last(r), Source: sources[r.IntN(len(sources))]}
	w := r.IntN(10)
	for _, pl := range pipelines {
		if w < pl.weight {
			p.Pipeline = pl.name
			p.Stage = pl.stages[r.IntN(len(pl.stages))]
			break
		}
		w -= pl.weight
	}
	p.SMS, p.Mail = r.IntN(2) == 0, r.IntN(2) == 0
	if r.IntN(10) < 8 {
		p.Phone = bulkPhone(r, i)
	}
	if r.IntN(10) < 6 {
		local := strings.ToLower(strings.NewReplacer("'", "", " ", "", "-", "").Replace(p.First + "." + p.Last))
		p.Email = fmt.Sprintf("%s%d@example.net", local, i)
	}
	if r.IntN(2) == 0 {
		p.DOB = fmt.Sprintf("%d-%02d-%02d", 1940+r.IntN(66), 1+r.IntN(12), 1+r.IntN(28))
	}
	if r.IntN(4) == 0 {
		p.Tags = []string{[]string{"mri", "ct", "ultrasound", "xray", "vip"}[r.IntN(5)]}
	}
	return p
}

// input is p as a CreateContactInput.
func (p person) input() map[string]any {
	in := map[string]any{
		"firstName": p.First, "lastName": p.Last, "leadSource": p.Source,
		"pipeline": p.Pipeline, "stage": p.Stage, "smsConsent": p.SMS, "emailConsent": p.Mail,
	}
	if p.Phone != "" {
		in["phone"] = p.Phone
	}
	if p.Email != "" {
		in["email"] = p.Email
	}
	if p.DOB != "" {
		in["dateOfBirth"] = p.DOB
	}
	if len(p.Tags) > 0 {
		in["tags"] = p.Tags
	}
	return in
}

// csvHeader and csvRecord are p as a row of the CSV import, with the
// headers the import guesses.
var csvHeader = []string{"First Name", "Surname", "Mobile", "Email", "DOB", "Lead Source", "Tags", "SMS Consent", "Email Consent", "Stage"}

func (p person) csvRecord() []string {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	return []string{p.First, p.Last, p.Phone, p.Email, p.DOB, p.Source, strings.Join(p.Tags, ";"), yn(p.SMS), yn(p.Mail), p.Stage}
}
