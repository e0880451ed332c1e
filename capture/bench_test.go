package capture

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

// benchEvent is a typical posthog-js $pageview.
const benchEvent = `{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","properties":{` +
	`"$os":"Linux","$browser":"Chrome","$device_type":"Desktop","$current_url":"https://shop.example/products/42?ref=mail",` +
	`"$host":"shop.example","$pathname":"/products/42","$browser_version":120,"$screen_height":1080,"$screen_width":1920,` +
	`"$viewport_height":960,"$viewport_width":1920,"$lib":"web","$lib_version":"1.449.2","$insert_id":"x1y2z3",` +
	`"$time":1715000000.123,"distinct_id":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0c","$device_id":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0c",` +
	`"$referrer":"$direct","$referring_domain":"$direct","token":"phc_test","$session_id":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0d",` +
	`"$window_id":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0e","$pageview_id":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0f"},` +
	`"timestamp":"2024-05-06T07:08:09.123Z"}`

func BenchmarkNormalise(b *testing.B) {
	meta := testMeta()
	raw := json.RawMessage(benchEvent)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Normalise(raw, meta); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToCaptureEvent(b *testing.B) {
	ev, err := Normalise(json.RawMessage(benchEvent), testMeta())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ev.JSON)))
	for b.Loop() {
		if _, _, err := ToCaptureEvent(ev.JSON); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRequestGzipBatch(b *testing.B) {
	body := testutil.Gzip(b, `{"api_key":"phc_test","batch":[`+strings.TrimSuffix(strings.Repeat(benchEvent+",", 50), ",")+`]}`)
	req := Request{Method: "POST", ContentType: "text/plain", Query: url.Values{}, Body: body, MaxBytes: 20 << 20}
	b.ReportAllocs()
	for b.Loop() {
		d, err := DecodeRequest(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParsePayload(d.JSON); err != nil {
			b.Fatal(err)
		}
	}
}
