package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/couponpop/couponpop"
)

// koreanByCode is each error code's Korean message, the API's default
// language. Where v2 had the code, the text is v2's exactly (from its
// ErrorCode enums, see /work/shared/data/v2_messages.json; TestKoreanMessages
// holds them to it); the others are ours. An error that carries its own
// Korean text (couponpop.Error.Korean, v2's validation messages) shows that
// instead.
var koreanByCode = map[string]string{
	// v2's texts.
	couponpop.EINTERNAL:                    "서버 내부 오류가 발생했습니다. 관리자에게 문의해주세요.",
	couponpop.ECouponAccessDenied:          "해당 쿠폰에 접근할 수 없습니다.",
	couponpop.ECouponAlreadyIssued:         "해당 쿠폰은 이미 발급되었습니다.",
	couponpop.ECouponNotFound:              "존재하지 않은 쿠폰입니다.",
	couponpop.ECouponInvalidTempCode:       "유효하지 않은 QR 코드입니다.",
	couponpop.ECouponExpired:               "만료된 쿠폰은 사용할 수 없습니다.",
	couponpop.ECouponAlreadyUsed:           "이미 사용된 쿠폰입니다.",
	couponpop.ECouponNotAvailable:          "쿠폰이 사용 가능한 상태가 아닙니다.",
	couponpop.EEventNotFound:               "존재하지 않는 쿠폰 이벤트입니다.",
	couponpop.EEventOwnerMismatch:          "본인 소유의 쿠폰 이벤트가 아닙니다.",
	couponpop.EEventDurationExceeded:       "쿠폰 이벤트는 최대 48시간까지 생성 가능합니다.",
	couponpop.EEventEndBeforeStart:         "이벤트 종료 시간은 시작 시간보다 이후여야 합니다.",
	couponpop.EEventCouponSoldOut:          "이벤트 쿠폰이 모두 소진되었습니다.",
	couponpop.EEventNotStarted:             "이벤트가 아직 시작되지 않았습니다.",
	couponpop.EEventEnded:                  "이벤트가 종료되었습니다.",
	couponpop.EStoreNotFound:               "매장을 찾을 수 없습니다.",
	couponpop.EStoreAlreadyDeleted:         "이미 삭제된 매장입니다.",
	couponpop.EStoreOwnerMismatch:          "해당 매장은 로그인한 회원 소유가 아닙니다.",
	couponpop.EStoreNotMatchedWithCoupon:   "쿠폰 발급 매장과 사용 매장이 일치하지 않습니다",
	couponpop.EStoreAccessPermissionDenied: "매장 접근 권한이 없습니다.",
	couponpop.EStoreUpdatePermissionDenied: "매장 수정 권한이 없습니다.",
	couponpop.EStoreDeletePermissionDenied: "매장 삭제 권한이 없습니다.",
	couponpop.EAdminPermissionRequired:     "관리자 권한이 필요합니다.",
	couponpop.EFORBIDDEN:                   "접근 권한이 없습니다.",
	couponpop.EPasswordsNotMatch:           "비밀번호와 비밀번호 확인이 일치하지 않습니다.",
	couponpop.EInvalidToken:                "유효하지 않은 토큰입니다. 다시 로그인하세요",
	couponpop.EExpiredToken:                "만료된 토큰입니다. 다시 로그인하세요.",
	couponpop.EInvalidCredentials:          "잘못된 이메일 또는 비밀번호입니다.",
	couponpop.EUNAUTHORIZED:                "인증이 필요합니다.",
	couponpop.EMemberNotFound:              "존재하지 않는 회원입니다.",
	couponpop.EEmailDuplicated:             "이미 사용중인 이메일입니다.",
	couponpop.EPasswordInputIncomplete:     "비밀번호 변경은 비밀번호, 비밀번호 확인 모두 입력해야 합니다.",

	// Ours: codes v2 did not have.
	couponpop.EINVALID:              "잘못된 요청입니다.",
	couponpop.ENOTFOUND:             "요청한 경로를 찾을 수 없습니다.",
	couponpop.ECONFLICT:             "요청이 현재 상태와 충돌합니다.",
	couponpop.EUNAVAILABLE:          "일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.",
	couponpop.EOUTOFAREA:            "서비스 지역이 아닙니다.",
	couponpop.EEventNotActive:       "일시 중지되었거나 취소된 이벤트입니다.",
	couponpop.ELocationOutOfRange:   "쿠폰을 받을 수 있는 거리 밖에 있습니다.",
	couponpop.ELocationRequired:     "이 이벤트의 쿠폰을 받으려면 현재 위치가 필요합니다.",
	couponpop.EIdempotencyKeyReused: "이 Idempotency-Key는 다른 요청에 이미 사용되었습니다. 새 요청에는 새 키를 보내주세요.",
	eMethodNotAllowed:               "허용되지 않는 HTTP 메서드입니다.",
	ePayloadTooLarge:                "요청 본문이 너무 큽니다.",
	eUnsupportedMediaType:           "지원하지 않는 Content-Type입니다. application/json으로 보내주세요.",
	eRateLimited:                    "요청이 너무 많습니다. 잠시 후 다시 시도해주세요.",
	eHeaderTooLarge:                 "요청 헤더가 너무 큽니다.",
	eVersionNotSupported:            "지원하지 않는 HTTP 버전입니다.",
	eNotImplemented:                 "지원하지 않는 전송 인코딩입니다.",
	eRequestTimeout:                 "요청 본문을 제때 받지 못했습니다. 다시 시도해주세요.",
}

// errorMessage is err's message in the language the request asks for:
// Korean unless Accept-Language prefers English. A Korean message falls
// back to the code's text, then (for a validation failure without Korean
// text) to the code's text and the English detail.
func errorMessage(r *http.Request, err error) string {
	english := couponpop.ErrorMessage(err)
	if r != nil && prefersEnglish(r.Header.Get("Accept-Language")) {
		return english
	}
	if ko := couponpop.ErrorKorean(err); ko != "" {
		return ko
	}
	code := couponpop.ErrorCode(err)
	ko, ok := koreanByCode[code]
	switch {
	case !ok:
		return english
	case code == couponpop.EINVALID:
		return ko + "\n" + english
	default:
		return ko
	}
}

// prefersEnglish reads an Accept-Language header: English wins only when
// it is weighted above Korean (Korean is the default).
func prefersEnglish(header string) bool {
	if header == "" {
		return false
	}
	var en, ko float64
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch lang {
		case "en":
			en = max(en, q)
		case "ko":
			ko = max(ko, q)
		}
	}
	return en > 0 && en > ko
}

// qrMessage is the line shown under a coupon's QR code: v2's text, or
// English when the request prefers it.
func qrMessage(r *http.Request) string {
	if prefersEnglish(r.Header.Get("Accept-Language")) {
		return "Show this code at the counter; it works once, for 10 minutes."
	}
	return "사장님께 QR코드를 보여주세요"
}
