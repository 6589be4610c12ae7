package intent

import "strings"

// The cue lexicon gives the classifier features that hold across
// languages. A few hundred English examples teach it what "cancel" or
// "thanks" means for a reply; the lexicon maps the same cue in the other
// languages most spoken in Sydney (Mandarin, Cantonese, Arabic,
// Vietnamese, Greek, Italian, Hindi, Korean, Spanish, Tagalog) to one
// shared feature, so a Greek "ακυρώστε" borrows what "cancel" learnt even
// though the training set has only a handful of Greek replies. It was
// written from general knowledge of these languages, not from the
// evaluation files.

// cue is one class of cue words.
type cue struct {
	name string
	// words match whole tokens (or, ending in "*", token prefixes).
	words []string
	// parts match anywhere in the message: scripts written without
	// spaces, and phrases.
	parts []string
}

var cues = []cue{
	{"yes", []string{"yes", "yess", "yep", "yeah", "yup", "y", "ya", "yea", "sure", "ok", "okay", "k", "confirm*", "affirmative", "absolutely", "definitely",
		"có", "vâng", "dạ", "ναι", "sì", "si", "हाँ", "हां", "haan", "han", "네", "예", "sí", "oo", "opo", "certo", "نعم", "أكيد", "اكيد", "εντάξει",
		"kk", "correct", "fine", "good", "great", "perfect", "lovely", "sweet", "excellent", "brilliant", "awesome", "sorted", "noted", "ठीक", "theek", "thik", "حاضر", "tamam", "👍", "👌", "✅"},
		[]string{"是的", "好的", "确认", "確認", "可以", "冇問題", "没问题", "va bene", "d accordo", "확인", "موافق", "no problem", "no worries", "no dramas", "not a problem", "all good", "works for me", "알겠습니다", "được"}},
	{"no", []string{"no", "nah", "nope", "n", "nay", "không", "όχι", "नहीं", "nahi", "아니요", "아뇨", "لا", "hindi"},
		[]string{"不行", "唔得"}},
	{"cancel", []string{"cancel*", "cancl*", "cancle*", "cxl", "ακυρ*", "annull*", "cancella*", "cancelar", "cancelen", "रद्द", "radd", "إلغاء", "الغاء", "ألغ*", "الغ*", "huỷ", "hủy", "scrap", "delete", "remove"},
		[]string{"取消", "취소", "không cần"}},
	{"change", []string{"change", "changing", "reschedule*", "resched", "move", "swap", "rebook*", "postpone*", "push", "instead", "earlier", "later", "sooner",
		"đổi", "dời", "αλλάξ*", "αλλαγή", "spost*", "cambi*", "बदल*", "badal*", "cambiar", "lipat", "ilipat", "تغيير", "تأجيل", "prefer*", "rather", "fit", "preferirei"},
		[]string{"改", "更改", "換", "换", "바꾸", "바꿀", "변경", "미루", "미룰", "another day", "different day", "different time", "other day"}},
	{"cant", []string{"cant", "cannot", "unable", "wont", "couldnt", "not", "δεν", "नहीं", "못", "لن", "non"},
		[]string{"来不了", "去不了", "唔到", "唔去", "不去", "不用", "唔使", "không đến", "không thể", "non posso", "no puedo", "لا أستطيع", "لا استطيع", "आ पा", "aa paunga", "hindi ako"}},
	{"thanks", []string{"thanks", "thank", "thx", "ty", "ta", "cheers", "cảm", "ευχαριστώ", "grazie", "धन्यवाद", "dhanyavad", "gracias", "salamat", "شكرا", "شكراً", "merci"},
		[]string{"谢谢", "謝謝", "多謝", "唔該", "감사", "고맙", "cảm ơn"}},
	{"attend", []string{"attend*", "coming", "there", "sẽ", "θα", "ci", "aaunga", "aa", "pupunta", "سأحضر", "estaré"},
		[]string{"see you", "见", "見", "到時", "갈게", "be there", "ci sarò", "आऊँ", "jaunga", "jayenge", "có mặt", "τα λέμε", "a domani"}},
	{"question", []string{"what", "whats", "where", "wheres", "when", "how", "who", "whos", "which", "why", "do", "does", "is", "are", "can", "should", "will",
		"هل", "كم", "ماذا", "أين", "متى", "πόσο", "πού", "πότε", "τι", "quanto", "dove", "devo", "क्या", "कितना", "कब", "कहाँ", "kya", "kitna", "kab", "cuánto", "dónde", "tengo", "bao", "có", "đâu", "mấy", "magkano", "saan", "kailan", "ano"},
		[]string{"吗", "嗎", "呢", "幾多", "几", "多少", "怎么", "點樣", "幾時", "要唔要", "나요", "까요", "인가요", "어디", "얼마", "언제", "몇", "không?", "nhiêu", "¿"}},
	{"prep", []string{"fast", "fasting", "eat", "drink", "water", "bladder", "bring", "wear", "parking", "park", "referral", "cost", "price", "pay", "bulk", "medicare", "results",
		"أصوم", "νηστέψω", "digiuno", "ayunas", "kharcha", "التكلفة", "κοστίζει", "costa"},
		[]string{"空腹", "空肚", "停车", "泊車", "转诊", "轉介", "钱", "錢", "nhịn ăn", "chi phí", "खाली पेट", "금식", "주차", "비용"}},
	{"day", []string{"星期*", "礼拜*", "禮拜*", "الثلاثاء", "الاثنين", "الأربعاء", "الخميس", "الجمعة", "السبت", "thứ", "δευτέρα", "τρίτη", "τετάρτη", "πέμπτη", "παρασκευή", "σάββατο",
		"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "kal", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		[]string{"下周", "下週", "下个礼拜", "明天", "聽日", "요일", "내일", "다음 주"}},
}

// cueWords and cueParts index the lexicon.
var (
	cueWords    = map[string]string{}
	cuePrefixes []struct{ prefix, name string }
	cueParts    []struct{ part, name string }
)

// cueBoost is the value of a cue feature relative to any other.
const cueBoost = 5

// boosted holds the hashes of the cue features.
var boosted = map[uint32]bool{}

func init() {
	for _, c := range cues {
		boosted[hashString(hashByte(fnvOffset, nsCue), c.name)] = true
		for _, w := range c.words {
			if p, ok := strings.CutSuffix(w, "*"); ok {
				cuePrefixes = append(cuePrefixes, struct{ prefix, name string }{p, c.name})
				continue
			}
			cueWords[w] = c.name
		}
		for _, p := range c.parts {
			cueParts = append(cueParts, struct{ part, name string }{p, c.name})
		}
	}
}

// wordCue returns the cue class of a token, or "".
func wordCue(tok string) string {
	if c, ok := cueWords[tok]; ok {
		return c
	}
	for _, p := range cuePrefixes {
		if strings.HasPrefix(tok, p.prefix) {
			return p.name
		}
	}
	return ""
}

// negators open a short negation scope: the two words after "not" are
// marked, so "not attending" and "attending" are different features.
var negators = map[string]bool{"not": true, "no": true, "cant": true, "wont": true, "dont": true, "unable": true, "never": true, "cannot": true, "couldnt": true, "nt": true}
