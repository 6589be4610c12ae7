package seed

// Names common in Australia, drawn from many backgrounds, as a Sydney
// clinic's patient list would be.
var firstNames = []string{
	"Olivia", "Charlotte", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Sophie", "Zoe",
	"Ruby", "Emily", "Harper", "Matilda", "Evie", "Lily", "Hannah", "Sarah", "Jessica", "Emma",
	"Oliver", "Noah", "Jack", "William", "Leo", "Lucas", "Thomas", "Henry", "Charlie", "James",
	"Liam", "Ethan", "Samuel", "Harrison", "Mason", "Daniel", "Benjamin", "Joshua", "Max", "Ryan",
	"Priya", "Anjali", "Wei", "Mei", "Hiroshi", "Yuki", "Minh", "Linh", "Ahmed", "Fatima",
	"Giorgos", "Eleni", "Marco", "Giulia", "Aroha", "Tane", "Siosaia", "Mele", "Rajesh", "Deepa",
	"Connor", "Bridget", "Declan", "Siobhan", "Nikolai", "Anastasia", "Omar", "Layla", "Jun", "Sora",
}

var lastNames = []string{
	"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson",
	"Thompson", "Nguyen", "Thomas", "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King",
	"Davis", "Wright", "Evans", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
	"Tran", "Le", "Chen", "Wang", "Zhang", "Singh", "Kaur", "Sharma", "Papadopoulos", "Nikolaidis",
	"Rossi", "Russo", "Kim", "Park", "Nakamura", "Tanaka", "Haddad", "Khoury", "O'Brien", "Murphy",
	"Byrne", "McDonald", "Campbell", "Stewart", "Fraser", "Ngata", "Fifita", "Kovacs", "Novak", "Ivanov",
}

var emailDomains = []string{"example.com", "example.net", "example.org"}

var referrers = []string{
	"Dr Sarah Mitchell, Macquarie St Medical", "Dr Anil Gupta, Surry Hills Family Practice",
	"Dr Helen Cho, Bondi Junction GP", "Dr Mark Evans, Parramatta Medical Centre",
	"Dr Fiona Walsh, Newtown Health", "Sydney Sports Physio", "Harbour Chiropractic",
	"Westmead Orthopaedics",
}

var tagPool = []string{"medicare", "private-health", "workcover", "dva", "self-funded", "needs-interpreter", "vip", "wheelchair-access"}

var notes = []string{
	"Prefers morning appointments.",
	"Claustrophobic; offer the wide-bore MRI and a support person.",
	"Needs referral letter before booking.",
	"Asked about bulk billing eligibility.",
	"Prefers SMS to calls.",
	"Has a pacemaker; check MRI safety with the radiologist.",
	"Interpreter required (Mandarin).",
	"",
	"",
	"",
}
