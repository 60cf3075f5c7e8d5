package push

import "testing"

func TestAllowList_Default(t *testing.T) {
	a, err := ParseAllowList("")
	if err != nil {
		t.Fatal(err)
	}
	for endpoint, want := range map[string]bool{
		"https://fcm.googleapis.com/fcm/send/abc":              true,
		"https://updates.push.services.mozilla.com/wpush/v2/x": true,
		"https://web.push.apple.com/QGx":                       true,
		"https://db5p.notify.windows.com/w/?token=x":           true,
		"https://notify.windows.com/w/":                        false, // the wildcard needs a subdomain
		"http://fcm.googleapis.com/fcm/send/abc":               false, // scheme differs
		"https://fcm.googleapis.com.evil.example/fcm/send/abc": false,
		"https://fcm.googleapis.com@169.254.169.254/latest":    false,
		"https://169.254.169.254/latest/meta-data":             false,
		"https://evilnotify.windows.com/w/":                    false,
		"http://127.0.0.1:8080/push":                           false,
		"not a url":                                            false,
		"":                                                     false,
	} {
		if got := a.Allows(endpoint); got != want {
			t.Errorf("default Allows(%q) = %v, want %v", endpoint, got, want)
		}
	}
}

func TestAllowList_Parse(t *testing.T) {
	a, err := ParseAllowList(" https://push.example.com/wp/ , http://127.0.0.1:9000/ ")
	if err != nil {
		t.Fatal(err)
	}
	for endpoint, want := range map[string]bool{
		"https://push.example.com/wp/1":  true,
		"https://push.example.com/other": false,
		"http://127.0.0.1:9000/x":        true,
		"http://127.0.0.1:9001/x":        false,
		"https://fcm.googleapis.com/x":   false,
	} {
		if got := a.Allows(endpoint); got != want {
			t.Errorf("Allows(%q) = %v, want %v", endpoint, got, want)
		}
	}
	star, err := ParseAllowList("*")
	if err != nil || !star.AllowsAny() || !star.Allows("http://127.0.0.1:1/x") || star.Allows("file:///etc/passwd") {
		t.Errorf("* should allow any http(s) endpoint: %v", err)
	}
	for _, bad := range []string{"fcm.googleapis.com", "https://a.*.com/", "ftp://x/", "https://u@x/"} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("ParseAllowList(%q) accepted", bad)
		}
	}
	if got := DefaultAllowList().String(); got != "https://fcm.googleapis.com/,https://updates.push.services.mozilla.com/,https://web.push.apple.com/,https://*.notify.windows.com/" {
		t.Errorf("String = %q", got)
	}
}
