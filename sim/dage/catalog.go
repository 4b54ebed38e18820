package dage

// The shop's fixed data: suppliers (the mall's shops), products and their
// SKUs, regions, freight templates, couriers and the phrases buyers and
// sellers write. None of it is in the seed document except the example
// line's product (id 3, SKU 3, "432432432", price 22.00, cost 46.00, its
// properties and its picture URL), which is kept as is.

// supplier is one of the mall's shops: an order's supplier_id and shopName.
type supplier struct {
	id       int64
	name     string // shopName
	tel      string // shopServiceTel (detail only)
	template string // freight template id, see templates
	skus     []uint16
}

var suppliers = []supplier{
	{id: 1, name: "大哥商城自营店", tel: "400-066-8888", template: "2"},
	{id: 2, name: "潮人服饰旗舰店", tel: "0571-86668888", template: "3"},
	{id: 3, name: "极客数码专营店", tel: "021-52358888", template: "1"},
}

// sku is one product variant, what an order line buys.
type sku struct {
	productID, skuID int64
	supplier         uint8 // index into suppliers
	name, props, pic string
	price, cost      int64 // cents
}

const picBase = "http://pic.8dage.net/data/uploadfile/images/1/"

var skus = []sku{
	// The seed document's example line: cost above price, as in the doc.
	{3, 3, 0, "432432432", "颜色:红色,大小:X,套餐:电信", picBase + "20160504/6c50be469f.png", 2200, 4600},
	{3, 4, 0, "432432432", "颜色:蓝色,大小:XL,套餐:移动", picBase + "20160504/6c50be469f.png", 2200, 4600},
	{15, 40, 0, "五常大米 5kg", "规格:5kg", picBase + "20160612/0b7e41c2d9.png", 6800, 4500},
	{16, 42, 0, "新疆红枣 500g", "规格:500g", picBase + "20160612/9a3f5e77c1.png", 3580, 1800},
	{17, 45, 0, "电信流量卡 月租19元", "套餐:电信", picBase + "20160701/4d2c8b0e6a.png", 1900, 0},
	{5, 8, 1, "纯棉短袖T恤 男款", "颜色:白色,尺码:L", picBase + "20160520/e1f0c3a9b4.png", 5900, 2500},
	{5, 9, 1, "纯棉短袖T恤 男款", "颜色:黑色,尺码:XL", picBase + "20160520/e1f0c3a9b4.png", 5900, 2500},
	{6, 11, 1, "修身牛仔裤", "颜色:深蓝,尺码:32", picBase + "20160521/7c9d2f1e08.png", 12900, 6000},
	{6, 12, 1, "修身牛仔裤", "颜色:浅蓝,尺码:30", picBase + "20160521/7c9d2f1e08.png", 12900, 6000},
	{7, 14, 1, "运动跑鞋 透气款", "颜色:灰色,尺码:42", picBase + "20160525/3b8e6d0f52.png", 19900, 9500},
	{8, 17, 1, "棒球帽", "颜色:黑色", picBase + "20160525/a5c1e9d374.png", 3900, 1200},
	{9, 20, 2, "手机钢化膜 2片装", "型号:iPhone 7", picBase + "20160915/2f6a0d8c1b.png", 990, 210},
	{9, 21, 2, "手机钢化膜 2片装", "型号:iPhone 7 Plus", picBase + "20160915/2f6a0d8c1b.png", 1290, 260},
	{10, 23, 2, "快充数据线 1米", "接口:Lightning", picBase + "20160916/8e2b4c6a0d.png", 1990, 550},
	{10, 24, 2, "快充数据线 1米", "接口:Type-C", picBase + "20160916/8e2b4c6a0d.png", 1990, 550},
	{12, 30, 2, "蓝牙耳机 运动款", "颜色:黑色", picBase + "20161011/c4d7e2a91f.png", 8900, 4100},
	{13, 33, 2, "移动电源 10000mAh", "颜色:白色", picBase + "20161011/5e0f3b7d2c.png", 7900, 3800},
}

// products are the distinct product ids of skus, in first-seen order;
// productOf maps a sku index to its products index.
var (
	products  []int64
	productOf []uint16
)

func init() {
	productOf = make([]uint16, len(skus))
	for i, k := range skus {
		suppliers[k.supplier].skus = append(suppliers[k.supplier].skus, uint16(i))
		p := -1
		for j, id := range products {
			if id == k.productID {
				p = j
			}
		}
		if p < 0 {
			p = len(products)
			products = append(products, k.productID)
		}
		productOf[i] = uint16(p)
	}
}

// skuByID finds a sku by its sku_id.
func skuByID(id int64) (uint16, bool) {
	for i, k := range skus {
		if k.skuID == id {
			return uint16(i), true
		}
	}
	return 0, false
}

// region is a province, by its administrative code (calculate-shipping's
// destination). Remote regions cost more to ship to.
type region struct {
	code   int64
	name   string
	remote bool
}

var regions = []region{
	{110000, "北京市", false}, {120000, "天津市", false}, {310000, "上海市", false},
	{320000, "江苏省", false}, {330000, "浙江省", false}, {350000, "福建省", false},
	{370000, "山东省", false}, {420000, "湖北省", false}, {430000, "湖南省", false},
	{440000, "广东省", false}, {510000, "四川省", false}, {610000, "陕西省", false},
	{150000, "内蒙古自治区", true}, {540000, "西藏自治区", true},
	{630000, "青海省", true}, {650000, "新疆维吾尔自治区", true},
}

// regionOf finds the province of a province, city or district code
// (440000, 440300 and 440305 are all 广东省).
func regionOf(code int64) (region, bool) {
	p := code / 10000 * 10000
	for _, r := range regions {
		if r.code == p {
			return r, true
		}
	}
	return region{}, false
}

// template is a freight template (运费模板): whole yuan for the first piece
// and for each further piece, more for remote regions. yunfei is an int in
// the doc, so freight is always whole yuan.
type template struct {
	origin                   string // the seller's region, calculate-shipping's "to"
	first, extra             int64
	remoteFirst, remoteExtra int64
}

var templates = map[string]template{
	"1": {origin: "上海市", first: 0, extra: 0, remoteFirst: 10, remoteExtra: 0}, // 包邮, remote regions 10
	"2": {origin: "广东省深圳市", first: 8, extra: 2, remoteFirst: 15, remoteExtra: 5},
	"3": {origin: "浙江省杭州市", first: 10, extra: 0, remoteFirst: 20, remoteExtra: 0},
}

// fee is the freight in yuan for count pieces.
func (t template) fee(remote bool, count int64) int64 {
	first, extra := t.first, t.extra
	if remote {
		first, extra = t.remoteFirst, t.remoteExtra
	}
	if count < 1 {
		count = 1
	}
	return first + extra*(count-1)
}

// couriers are the express codes (快递类型) fahuo accepts, 1..len.
var couriers = []string{"顺丰速运", "圆通速递", "中通快递", "申通快递", "韵达快递", "EMS"}

var (
	sellerMemos = []string{"已电话确认", "老客户,送小礼品", "地址已核实", "缺货,延迟发货"}
	feedbacks   = []string{"请尽快发货", "麻烦发顺丰", "周末送货", "不要放快递柜", "送人的,不要放发票", "颜色要正的"}
	backNotes   = []string{"不想要了", "尺码不合适", "商品有破损", "与描述不符", "发错货了"}
)

// mix is splitmix64, for values derived from the seed and an id without
// keeping them (addresses, carts).
func mix(seed int64, v uint64) uint64 {
	x := uint64(seed) ^ (v * 0x9e3779b97f4a7c15)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
