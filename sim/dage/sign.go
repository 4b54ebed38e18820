package dage

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Payment signatures (orders/get-sign). The doc only says the endpoint
// returns "data string" for an order number and a pay type (llQuickPay
// 连连快捷支付, llApplePay 连连苹果支付, alipay 支付宝); what is signed, and how,
// is chosen here after those providers' MD5 schemes, with Options.Token as
// the merchant key:
//
//   - sign string: the parameters with a non-empty value, but the excluded
//     ones, sorted by name, joined as k=v with "&", values raw (not escaped);
//   - llQuickPay, llApplePay (LianLian): sign = md5hex(signString +
//     "&key=" + Token) over every parameter but sign; data is the
//     parameters and sign as a JSON object (names sorted);
//   - alipay: sign = md5hex(signString + Token) over every parameter but
//     sign and sign_type; data is signString + "&sign=" + sign +
//     "&sign_type=MD5".
//
// md5hex is lower-case hex. Only unpaid orders (status 0) can be signed.

// Merchant ids and the notification URL in the signed parameters.
const (
	lianlianPartner = "201604190000123456"
	alipayPartner   = "2088121212345678"
	notifyBase      = "https://api.8dage.net/pay/"
)

// PaySign returns orders/get-sign's data for an order and a pay type.
func (s *Store) PaySign(orderNo, payType string) (string, error) {
	s.mu.RLock()
	h, ok := s.handleByNo(orderNo)
	if !ok {
		s.mu.RUnlock()
		return "", ErrOrderNotFound
	}
	o := &s.orders[h]
	status, total := o.status, money(o.shown())
	name := skus[o.lines[0].sku].name
	created := time.Unix(o.created, 0).In(s.loc).Format("20060102150405")
	member := strconv.FormatInt(memberBase+1+int64(o.member), 10)
	s.mu.RUnlock()
	if status != statusPending {
		return "", ErrOrderStatus
	}
	key := s.opts.Token
	switch payType {
	case "llQuickPay", "llApplePay":
		p := map[string]string{
			"oid_partner": lianlianPartner, "busi_partner": "109001", "no_order": orderNo,
			"dt_order": created, "name_goods": name, "money_order": total,
			"notify_url": notifyBase + "lianlian/notify", "valid_order": "1440",
			"user_id": member, "sign_type": "MD5",
		}
		p["sign"] = md5hex(signString(p, "sign") + "&key=" + key)
		return string(encode(p)), nil
	case "alipay":
		p := map[string]string{
			"service": "mobile.securitypay.pay", "partner": alipayPartner, "seller_id": alipayPartner,
			"_input_charset": "utf-8", "payment_type": "1", "out_trade_no": orderNo,
			"subject": name, "total_fee": total, "notify_url": notifyBase + "alipay/notify", "it_b_pay": "30m",
		}
		str := signString(p, "sign", "sign_type")
		return str + "&sign=" + md5hex(str+key) + "&sign_type=MD5", nil
	}
	return "", paramError("payType")
}

// signString joins the non-empty parameters but the excluded ones as
// sorted k=v pairs.
func signString(p map[string]string, exclude ...string) string {
	keys := make([]string, 0, len(p))
	for k, v := range p {
		if v != "" && !slices.Contains(exclude, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, "&")
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
