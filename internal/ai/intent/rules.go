package intent

import (
	"strings"
	"unicode/utf8"
)

// The opt-out rules are deliberately greedy. Under the Spam Act a missed
// STOP is a breach; a false STOP costs one confirmation text and a person
// re-subscribing the patient. So any message that starts with a word like
// "stop" (typos included), asks to stop or not receive messages, to
// unsubscribe or to be removed, is an opt-out, whatever else it says.

// MatchOptOut reports whether a normalised message (see Normalize) asks
// to receive no more messages, and the words that matched.
func MatchOptOut(n string) (bool, string) {
	if n == "" {
		return false, ""
	}
	for _, p := range optOutPhrases {
		if strings.Contains(n, p) {
			return true, p
		}
	}
	toks := Tokens(n)
	words := toks[:0:0]
	for _, t := range toks {
		if t != "?" {
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		return false, ""
	}
	if len(words) == 1 && optOutWords[words[0]] {
		return true, words[0]
	}
	if spelled := spelledOut(words); spelled != "" && (optOutWords[spelled] || stopLike(spelled)) {
		// "S T O P"
		return true, spelled
	}
	first := 0
	for first < len(words)-1 && politeness[words[first]] {
		first++
	}
	if stopLike(words[first]) {
		return true, words[first]
	}
	if last := words[len(words)-1]; last == "stop" || last == "stopp" || last == "stp" {
		return true, last
	}
	for i, w := range words {
		switch {
		case unsubscribeLike(w):
			return true, w
		case stopLike(w) && messagingWithin(words, i+1, 3):
			return true, w + " …"
		case w == "no" && i+1 < len(words) && (words[i+1] == "more" || words[i+1] == "longer") && messagingWithin(words, i+2, 3):
			return true, "no more …"
		case negation(words, i) > 0:
			j := i + negation(words, i)
			if j < len(words) && messagingVerb[words[j]] {
				return true, strings.Join(words[i:j+1], " ")
			}
			if j < len(words) && words[j] == "send" && messagingWithin(words, j+1, 3) {
				return true, strings.Join(words[i:j+1], " ") + " …"
			}
			if j+1 < len(words) && words[j] == "want" && messagingWithin(words, j+1, 4) {
				return true, strings.Join(words[i:j+1], " ") + " …"
			}
		case (w == "remove" || w == "delete" || w == "erase") && i+1 < len(words) && !strings.Contains(n, "wait") &&
			(words[i+1] == "me" || (words[i+1] == "my" && i+2 < len(words) && personalData[words[i+2]])):
			return true, w + " " + words[i+1]
		case w == "take" && i+2 < len(words) && (words[i+1] == "me" && words[i+2] == "off" ||
			words[i+1] == "my" && i+3 < len(words) && words[i+3] == "off"):
			return true, "take … off"
		case w == "opt" && i+1 < len(words) && (words[i+1] == "out" || words[i+1] == "me" && i+2 < len(words) && words[i+2] == "out"):
			return true, "opt out"
		case w == "leave" && i+2 < len(words) && words[i+1] == "me" && words[i+2] == "alone":
			return true, "leave me alone"
		}
	}
	return false, ""
}

// MatchOptIn reports whether a normalised message asks to receive
// messages again (START), and the words that matched. Check MatchOptOut
// first: "unsubscribe" contains "subscribe".
func MatchOptIn(n string) (bool, string) {
	toks := Tokens(n)
	words := toks[:0:0]
	for _, t := range toks {
		if t != "?" && !isSymbol(t) {
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		return false, ""
	}
	if len(words) <= 3 && (startLike(words[0]) || optInWords[words[0]]) {
		return true, words[0]
	}
	for _, p := range optInPhrases {
		if strings.Contains(n, p) {
			return true, p
		}
	}
	for i, w := range words {
		if (w == "start" || w == "resume") && messagingWithin(words, i+1, 3) {
			return true, w + " …"
		}
	}
	return false, ""
}

// optOutPhrases are matched anywhere in the normalised message: phrases
// in the languages most spoken in Sydney, and English forms the word rules
// would miss.
var optOutPhrases = []string{
	"退订", "退訂", "回t退订", "停止发送", "停止發送", "唔好再send", "唔好再發", "不要再发", "不要再發", "别再发",
	"توقف", "أوقفوا", "اوقفوا", "إلغاء الاشتراك", "الغاء الاشتراك",
	"dừng lại", "đừng nhắn", "hủy đăng ký", "huỷ đăng ký", "ngừng gửi",
	"σταματήστε", "στοπ", "μη μου στέλνετε",
	"basta messaggi", "non scrivetemi", "cancellatemi", "non mandatemi",
	"बंद करो", "मैसेज मत", "mat bhejo", "band karo",
	"수신거부", "수신 거부", "그만 보내",
	"no más mensajes", "no mas mensajes", "dejen de enviar",
	"ayaw ko na ng text",
}

// optOutWords are opt-outs when they are the whole message: the carrier
// keywords and a few spellings.
var optOutWords = map[string]bool{
	"stop": true, "stopall": true, "end": true, "quit": true, "unsubscribe": true, "unsub": true,
	"optout": true, "td": true, "stopp": true,
}

// politeness may come before a leading "stop" ("please stop").
var politeness = map[string]bool{"please": true, "pls": true, "plz": true, "plse": true, "just": true, "ok": true, "now": true, "can": true, "you": true, "u": true}

var personalData = map[string]bool{"number": true, "no": true, "details": true, "name": true, "contact": true, "info": true, "mobile": true, "phone": true, "email": true, "data": true}

// messagingWords name messages and the sending of them.
var messagingWords = map[string]bool{
	"text": true, "texts": true, "texting": true, "textin": true, "txt": true, "txts": true, "txting": true, "txtin": true,
	"message": true, "messages": true, "messaging": true, "msg": true, "msgs": true, "mesages": true, "messeges": true, "massages": true,
	"sms": true, "smses": true, "contact": true, "contacting": true, "sending": true, "send": true,
	"email": true, "emails": true, "emailing": true, "spam": true, "spamming": true,
	"reminder": true, "reminders": true, "marketing": true, "promotions": true, "notifications": true, "calling": true, "calls": true,
}

// messagingVerb may follow a negation: "don't text me", "do not contact".
var messagingVerb = map[string]bool{
	"text": true, "txt": true, "message": true, "msg": true, "sms": true, "contact": true, "email": true, "spam": true,
}

var optInWords = map[string]bool{
	"unstop": true, "resume": true, "subscribe": true, "resubscribe": true, "optin": true,
}

var optInPhrases = []string{
	"opt in", "opt me in", "opt me back in", "opt back in", "text me again", "message me again",
	"sign me up again", "start sending", "start texting", "start reminders", "resume reminders", "resume texts",
}

// negation returns how many words at i say "do not" ("don't", "do not",
// "please don't", "never"), or 0.
func negation(words []string, i int) int {
	switch words[i] {
	case "dont", "never":
		return 1
	case "do", "pls", "please":
		if i+1 < len(words) && words[i+1] == "not" {
			return 2
		}
		if i+1 < len(words) && words[i+1] == "dont" {
			return 2
		}
	}
	return 0
}

// messagingWithin reports whether one of the n words from i names
// messages.
func messagingWithin(words []string, i, n int) bool {
	for j := i; j < len(words) && j < i+n; j++ {
		if messagingWords[words[j]] {
			return true
		}
	}
	return false
}

// notStop are words one typo away from "stop" that people write for
// themselves.
var notStop = map[string]bool{"step": true, "shop": true, "top": true, "spot": true, "atop": true, "stoe": true, "sop": true, "slop": true, "stow": true, "stoa": true, "so": true}

// stopLike reports whether w is "stop" or one edit or swap from it
// ("stp", "sotp", "stopp"), or begins with "stopall".
func stopLike(w string) bool {
	if notStop[w] || len(w) < 3 || len(w) > 6 {
		return strings.HasPrefix(w, "stopall")
	}
	return osa(w, "stop") <= 1
}

// startLike reports whether w is "start" or one edit from it.
func startLike(w string) bool {
	if w == "stars" || w == "smart" || w == "stat" || len(w) < 4 || len(w) > 6 {
		return false
	}
	return osa(w, "start") <= 1
}

// unsubscribeLike reports whether w is "unsubscribe", a typo of it (two
// edits) or a word beginning "unsub".
func unsubscribeLike(w string) bool {
	if strings.HasPrefix(w, "unsub") {
		return true
	}
	return len(w) >= 8 && len(w) <= 14 && strings.HasPrefix(w, "u") && osa(w, "unsubscribe") <= 2
}

// spelledOut joins a message of single letters ("s t o p"), or returns "".
func spelledOut(words []string) string {
	if len(words) < 3 {
		return ""
	}
	var b strings.Builder
	for _, w := range words {
		if utf8.RuneCountInString(w) != 1 {
			return ""
		}
		b.WriteString(w)
	}
	return b.String()
}

func isSymbol(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return utf8.RuneCountInString(t) == 1 && r > 0x2000
}

// osa is the optimal string alignment distance (Levenshtein with adjacent
// swaps) between two short words, counted in runes.
func osa(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 16 || len(rb) > 16 {
		return 99
	}
	var d [17][17]int
	for i := 0; i <= len(ra); i++ {
		d[i][0] = i
	}
	for j := 0; j <= len(rb); j++ {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
