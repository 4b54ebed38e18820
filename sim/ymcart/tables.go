package ymcart

// The shop's fixed data: its catalog, the countries it ships to, its
// currencies, shipping options, carriers and payment methods. The entries the
// seed document's examples name are here with the doc's values (store 24073,
// goods 4911 "Low Rise Flowery Legging", shipping 136 SHUNFENG, payment 142
// "Amazon Payment", carriers 28 UPS and 30 EMS, country 45 China, and the
// SKUs LC27768-9S, LC27768-9M and LC22248-3 of the orderEdit example); the
// rest is invented in the same style.

// storeID is the "store_id" of every row (the doc's examples: "24073").
const storeID = 24073

// sku is one sellable SKU. Money is in ten-thousandths of a US dollar,
// weight in ten-thousandths of a kg, as the API's 4-decimal strings.
type sku struct {
	goodsID     int
	goodsName   string
	goodsCodeno string
	skuCode     string // "SKU系统编码"
	skuCodeno   string // "SKU编号", what orderEdit's order_item names
	skuValue    string // "购买的商品SKU规格值", with the doc's <br />
	price       int64
	oldPrice    int64
	weight      int64
	image       string
	categoryID  int
}

const imgHost = "http://cn01.imgcdn.ymcart.com/24073/2016/07/18/"

var catalog = []sku{
	{4911, "Low Rise Flowery Legging", "LC79246", "17028_17122", "LC79246S", "Color:As shown<br />Size:S", 18000, 25000, 1300, imgHost + "a/a/aae1d529a581e72a.jpg", 12},
	{4911, "Low Rise Flowery Legging", "LC79246", "17028_17123", "LC79246M", "Color:As shown<br />Size:M", 18000, 25000, 1300, imgHost + "a/a/aae1d529a581e72a.jpg", 12},
	{4911, "Low Rise Flowery Legging", "LC79246", "17028_17124", "LC79246L", "Color:As shown<br />Size:L", 18000, 25000, 1400, imgHost + "a/a/aae1d529a581e72a.jpg", 12},
	{3120, "Sexy Lace Bodycon Dress", "LC27768-9", "16020_16101", "LC27768-9S", "Color:Black<br />Size:S", 129900, 159900, 2500, imgHost + "3/c/3c81f0a2d95e4b17.jpg", 7},
	{3120, "Sexy Lace Bodycon Dress", "LC27768-9", "16020_16102", "LC27768-9M", "Color:Black<br />Size:M", 129900, 159900, 2600, imgHost + "3/c/3c81f0a2d95e4b17.jpg", 7},
	{2871, "Striped Off Shoulder Top", "LC22248-3", "15433", "LC22248-3", "Color:Blue", 85000, 99900, 1800, imgHost + "9/0/90be5c1d2f3a7e46.jpg", 5},
	{5102, "Floral Print Maxi Dress", "LC61533", "18210_18301", "LC61533S", "Color:Floral<br />Size:S", 199900, 259900, 3500, imgHost + "b/4/b47a0c9e11d8f263.jpg", 7},
	{5102, "Floral Print Maxi Dress", "LC61533", "18210_18302", "LC61533M", "Color:Floral<br />Size:M", 199900, 259900, 3600, imgHost + "b/4/b47a0c9e11d8f263.jpg", 7},
	{5230, "Ripped Denim Jacket", "LC85012", "18544_18602", "LC85012M", "Color:Light Blue<br />Size:M", 249000, 299000, 6000, imgHost + "e/1/e15d3b8a0c7f2946.jpg", 9},
	{5231, "Two Piece Halter Swimsuit", "LC41022", "18590_18611", "LC41022S", "Color:Red<br />Size:S", 112000, 139000, 1200, imgHost + "6/d/6d02a9f4b3c1e857.jpg", 14},
	{5232, "Seamless Sports Bra", "LC26100", "18601", "LC26100", "Color:Grey", 65000, 65000, 900, imgHost + "0/7/07f3c2e9a1b4d586.jpg", 15},
	{5240, "Chunky Knit Cardigan", "LC27901", "18702", "LC27901", "Color:Beige<br />Size:One Size", 158000, 198000, 4000, imgHost + "c/2/c2e8b1a05f9d4673.jpg", 9},
}

// skuIndex finds a catalog entry by sku_codeno.
var skuIndex = func() map[string]uint16 {
	m := make(map[string]uint16, len(catalog))
	for i, k := range catalog {
		m[k.skuCodeno] = uint16(i)
	}
	return m
}()

type country struct {
	id                  int
	code2, code3, name  string
	states              []string
	cities              []string
	postcodes           []string
	currency, currency2 uint8 // the usual currency, and the other one some buyers pay in
}

// countries: the id of China is the doc's 45; the others are invented.
var countries = []country{
	{45, "CN", "CHN", "China", []string{"fujian", "guangdong"}, []string{"xiamen", "shenzhen"}, []string{"361004", "518000"}, curUSD, curUSD},
	{223, "US", "USA", "United States", []string{"CA", "NY", "TX", "FL", "WA"}, []string{"San Jose", "New York", "Austin", "Miami", "Seattle"}, []string{"95131", "10001", "73301", "33101", "98101"}, curUSD, curUSD},
	{222, "GB", "GBR", "United Kingdom", []string{"England", "Scotland"}, []string{"London", "Edinburgh"}, []string{"SW1A 1AA", "EH1 1YZ"}, curGBP, curUSD},
	{81, "DE", "DEU", "Germany", []string{"Bayern", "Berlin"}, []string{"München", "Berlin"}, []string{"80331", "10115"}, curEUR, curUSD},
	{73, "FR", "FRA", "France", []string{"Île-de-France", "Provence"}, []string{"Paris", "Marseille"}, []string{"75001", "13001"}, curEUR, curUSD},
	{195, "ES", "ESP", "Spain", []string{"Madrid", "Cataluña"}, []string{"Madrid", "Barcelona"}, []string{"28001", "08001"}, curEUR, curUSD},
	{105, "IT", "ITA", "Italy", []string{"Lazio", "Lombardia"}, []string{"Roma", "Milano"}, []string{"00118", "20121"}, curEUR, curUSD},
	{150, "NL", "NLD", "Netherlands", []string{"Noord-Holland"}, []string{"Amsterdam"}, []string{"1012 AB"}, curEUR, curUSD},
	{38, "CA", "CAN", "Canada", []string{"Ontario", "Quebec"}, []string{"Toronto", "Montréal"}, []string{"M5H 2N2", "H2Y 1C6"}, curCAD, curUSD},
	{13, "AU", "AUS", "Australia", []string{"Victoria", "New South Wales"}, []string{"Melbourne", "Sydney"}, []string{"3001", "2000"}, curAUD, curUSD},
	{138, "MX", "MEX", "Mexico", []string{"Jalisco", "CDMX"}, []string{"Guadalajara", "Ciudad de México"}, []string{"44100", "06000"}, curUSD, curUSD},
	{30, "BR", "BRA", "Brazil", []string{"São Paulo"}, []string{"São Paulo"}, []string{"01000-000"}, curUSD, curUSD},
	{99, "IN", "IND", "India", []string{"Maharashtra"}, []string{"Mumbai"}, []string{"400001"}, curUSD, curUSD},
	{176, "SA", "SAU", "Saudi Arabia", []string{"Riyadh"}, []string{"Riyadh"}, []string{"11564"}, curUSD, curUSD},
	{220, "AE", "ARE", "United Arab Emirates", []string{"Dubai"}, []string{"Dubai"}, []string{"00000"}, curUSD, curUSD},
}

// countryIndex finds a country by its 2-letter code (orderEdit's
// country_code_2).
var countryIndex = func() map[string]uint8 {
	m := make(map[string]uint8, len(countries))
	for i, c := range countries {
		m[c.code2] = uint8(i)
	}
	return m
}()

// countryWeights: most buyers are in the US and Europe.
var countryWeights = []int{3, 40, 12, 8, 6, 4, 4, 3, 6, 5, 3, 2, 1, 2, 1}

type currency struct {
	code string
	rate int64 // units per US dollar, in ten-thousandths ("currency_rate")
}

const (
	curUSD uint8 = iota
	curEUR
	curGBP
	curCAD
	curAUD
)

var currencies = []currency{{"USD", 10000}, {"EUR", 9200}, {"GBP", 7900}, {"CAD", 13600}, {"AUD", 15200}}

type shippingMethod struct {
	id   int
	name string
	cost int64 // USD, ten-thousandths
}

var shippingMethods = []shippingMethod{
	{136, "SHUNFENG", 100000},
	{137, "Free Shipping", 0},
	{138, "ePacket", 39900},
	{139, "DHL Express", 250000},
	{140, "EMS", 150000},
}

type carrier struct {
	id     int
	codeno string // "shipping_corp_codeno"
	name   string // "shipping_corp_name"
}

// carriers: "物流公司". orderShip finds one by codeno, or by name (case
// insensitive); index 0 means none.
var carriers = []carrier{
	{0, "", ""},
	{28, "ups", "UPS"},
	{30, "ems", "EMS"},
	{31, "dhl", "DHL"},
	{32, "fedex", "FEDEX"},
	{33, "sf", "SHUNFENG"},
	{34, "usps", "USPS"},
	{35, "yunexpress", "YunExpress"},
}

type paymentMethod struct {
	id   int
	name string
	// fee: 0 none, 1 3% of goods and shipping, 2 a fixed 0.13 (the doc's
	// example order pays 0.1300 with Amazon Payment).
	fee int
}

var paymentMethods = []paymentMethod{
	{142, "Amazon Payment", 2},
	{143, "PayPal", 0},
	{144, "Credit Card", 1},
	{145, "Western Union", 0},
}

var paymentWeights = []int{15, 50, 30, 5}

var devices = []string{"phone", "pc", "pad"}

type utm struct{ source, utmSource, utmMedium string }

// utms: the doc's example has all three empty.
var utms = []utm{
	{"", "", ""},
	{"google", "google", "cpc"},
	{"facebook", "facebook", "link"},
	{"instagram", "instagram", "link"},
	{"email", "newsletter", "email"},
}

var (
	firstNames = []string{"cqz", "noven", "emma", "olivia", "liam", "noah", "lucas", "chloé", "hannah", "josé", "zoe", "mia", "ahmed", "priya", "grace", "jürgen"}
	lastNames  = []string{"", "hong", "smith", "johnson", "brown", "taylor", "müller", "dubois", "garcia", "rossi", "nguyen", "kim", "o'brien", "silva", "lee"}
	streets    = []string{"tian rui 99", "Main St", "Oak Ave", "High Street", "Rue de Rivoli", "Hauptstraße", "Calle Mayor", "Via Roma", "King St W", "guanyanshan"}
	// buyerNotes are order "remark"s some buyers leave at checkout.
	buyerNotes = []string{"Please ship ASAP", "请尽快发货", "Gift wrap please", "No invoice in the parcel"}
	// adminNotes are what staff write in order_remark.
	adminNotes = []string{"customer asked about size", "地址已确认", "called buyer, no answer", "waiting for stock"}
	// deliveryNotes: the doc's deliveryList example has "ups尽快发货" and "666".
	deliveryNotes = []string{"", "", "", "ups尽快发货", "666", "split parcel"}
)
