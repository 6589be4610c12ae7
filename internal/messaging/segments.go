package messaging

// GSM 03.38: the basic character set (one septet each) and the extension
// table reached through the escape character (two septets each). A text
// with any other character is sent as UCS-2.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
)

var gsmBasicSet, gsmExtSet = runeSet(gsmBasic), runeSet(gsmExtension)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s))
	for _, r := range s {
		m[r] = true
	}
	return m
}

// Encodings of an SMS.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// Count is how a text travels as SMS.
type Count struct {
	// Encoding is GSM7 or UCS2.
	Encoding string
	// Units are septets for GSM-7 (extension characters count 2) or
	// UTF-16 code units for UCS-2 (an emoji outside the BMP counts 2).
	Units int
	// Segments is how many parts the text is sent in: one part holds
	// 160 GSM-7 or 70 UCS-2 units; a longer text is split into parts of
	// 153 or 67 (the rest is the concatenation header).
	Segments int
}

// CountSMS counts the encoding, units and segments of body.
func CountSMS(body string) Count {
	gsm, units := true, 0
	for _, r := range body {
		switch {
		case gsmBasicSet[r]:
			units++
		case gsmExtSet[r]:
			units += 2
		default:
			gsm = false
		}
	}
	single, multi := 160, 153
	if !gsm {
		units = 0
		for _, r := range body {
			if r > 0xFFFF {
				units += 2 // a surrogate pair
			} else {
				units++
			}
		}
		single, multi = 70, 67
	}
	c := Count{Encoding: GSM7, Units: units, Segments: 1}
	if !gsm {
		c.Encoding = UCS2
	}
	if units > single {
		c.Segments = (units + multi - 1) / multi
	}
	return c
}
