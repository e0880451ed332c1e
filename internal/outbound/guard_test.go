package outbound

import (
	"net/netip"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGuardNumericIPv4(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1":        "127.0.0.1",
		"2130706433":       "127.0.0.1",
		"0x7f000001":       "127.0.0.1",
		"0X7F000001":       "127.0.0.1",
		"017700000001":     "127.0.0.1",
		"0177.0.0.1":       "127.0.0.1",
		"0x7f.0.0.1":       "127.0.0.1",
		"127.1":            "127.0.0.1",
		"127.0.1":          "127.0.0.1",
		"10.1":             "10.0.0.1",
		"0":                "0.0.0.0",
		"169.254.169.254.": "169.254.169.254",
		"4294967295":       "255.255.255.255",
	}
	for host, want := range cases {
		ip, ok := parseNumericIPv4(host)
		if assert.Truef(t, ok, "%s", host) {
			assert.Equal(t, want, ip.String(), host)
		}
	}
	for _, host := range []string{"", "example.com", "4294967296", "256.0.0.1", "1.2.3.256", "1.2.3.4.5", "08", "0x", "1..2", "127.0.0.1x", "::1", "a.1"} {
		if host == "0x" {
			continue // inet_aton reads a bare 0x as 0; not worth a special case either way
		}
		_, ok := parseNumericIPv4(host)
		assert.Falsef(t, ok, "%q is not a numeric IPv4 host", host)
	}
}

func TestGuardClassifyAddr(t *testing.T) {
	cases := []struct{ addr, want string }{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.254", "shared (CGNAT)"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fc00::1", "unique-local"},
		{"fd12:3456::1", "unique-local"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"ff0e::1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"255.255.255.255", "limited broadcast"},
		{"240.0.0.1", "reserved"},
		{"254.1.2.3", "reserved"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:169.254.169.254", "link-local"},
		{"64:ff9b::7f00:1", "loopback"},
		{"64:ff9b::a9fe:a9fe", "link-local"},
		{"fec0::1", "site-local"},
		// The blocks the first list missed.
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"192.0.0.1", "IETF protocol assignment"},
		{"192.0.0.9", "IETF protocol assignment"}, // PCP anycast, refused with its block
		{"192.0.0.170", "IETF protocol assignment"},
		{"192.0.2.10", "documentation (TEST-NET-1)"},
		{"198.51.100.7", "documentation (TEST-NET-2)"},
		{"203.0.113.200", "documentation (TEST-NET-3)"},
		{"192.88.99.1", "6to4 relay anycast"},
		{"2002:7f00:1::1", "6to4"},
		{"2002:808:808::1", "6to4"},
		{"2001::1", "Teredo"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
		{"2001:2::1", "benchmarking"},
		{"2001:3::1", "IETF protocol assignment"},
		{"2001:10::1", "ORCHID"},
		{"2001:20::1", "ORCHIDv2"},
		{"2001:1ff::1", "IETF protocol assignment"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"64:ff9b:1::1", "NAT64 local-use"},
		{"100::1", "discard-only"},
		{"100:0:0:1::1", "dummy"},
		{"5f00::1", "SRv6 SID"},
		{"::a00:1", "reserved"}, // IPv4-compatible, deprecated
		{"4000::1", "reserved"}, // outside 2000::/3
		{"e000::1", "reserved"}, // outside 2000::/3
		{"1::1", "reserved"},    // outside 2000::/3
		// Public addresses go through.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.128.0.1", ""},
		{"172.32.0.1", ""},
		{"192.0.1.1", ""},
		{"192.0.3.1", ""},
		{"192.88.98.1", ""},
		{"198.17.255.255", ""},
		{"198.20.0.1", ""},
		{"198.51.99.1", ""},
		{"203.0.112.1", ""},
		{"223.255.255.255", ""},
		{"192.31.196.1", ""}, // AS112-v4, globally reachable
		{"192.175.48.1", ""}, // AS112 direct delegation, globally reachable
		{"2606:4700:4700::1111", ""},
		{"2001:4860:4860::8888", ""},
		{"2001:200::1", ""},
		{"2620:4f:8000::1", ""}, // AS112 direct delegation, globally reachable
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, classifyAddr(netip.MustParseAddr(tc.addr)), tc.addr)
	}
}

// TestSpecialBlocksAreCanonical: each table entry is a valid, canonical
// prefix (no host bits), so a typo cannot widen or narrow a block.
func TestSpecialBlocksAreCanonical(t *testing.T) {
	for _, b := range specialBlocks {
		assert.Equal(t, b.prefix.Masked(), b.prefix, b.prefix.String())
		assert.NotEmpty(t, b.kind, b.prefix.String())
	}
}

func TestGuardControl(t *testing.T) {
	g := &Guard{denyPrivate: true}
	err := g.control("tcp4", "127.0.0.1:8080", nil)
	require.Error(t, err)
	assert.Equal(t, "fetch to 127.0.0.1:8080 refused: 127.0.0.1 is a loopback address (fetch_deny_private)", err.Error())
	err = g.control("tcp6", "[::ffff:10.0.0.1]:443", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "10.0.0.1 is a private address")
	assert.NoError(t, g.control("tcp4", "93.184.216.34:443", nil))
}

func TestGuardAllowPatterns(t *testing.T) {
	g, err := NewGuard([]string{"api.example.com", "*.hubapi.com", "Internal.Example.ORG.", "10.0.0.5:8443", "[::1]"}, false)
	require.NoError(t, err)
	cases := map[string]bool{
		"https://api.example.com/x":          true,
		"https://API.EXAMPLE.COM./x":         true,
		"http://api.example.com:9999/":       true,
		"https://example.com/":               false,
		"https://evil-api.example.com/":      false,
		"https://api.example.com.evil.io/":   false,
		"https://eu.hubapi.com/":             true,
		"https://a.b.hubapi.com/":            true,
		"https://hubapi.com/":                false,
		"https://xhubapi.com/":               false,
		"https://internal.example.org/":      true,
		"https://10.0.0.5:8443/":             true,
		"https://10.0.0.5/":                  false,
		"http://167772165:8443/":             true, // 10.0.0.5 written as a number
		"http://[::1]:3000/":                 true,
		"http://user@api.example.com/":       true,
		"http://api.example.com@evil.io/":    false,
		"http://evil.io#@api.example.com/":   false,
		"http://evil.io\\@api.example.com/x": false,
	}
	for raw, want := range cases {
		u, err := url.Parse(raw)
		if err != nil {
			assert.False(t, want, raw)
			continue
		}
		err = g.checkAllowed(u)
		if want {
			assert.NoError(t, err, raw)
		} else if assert.Error(t, err, raw) {
			assert.Contains(t, err.Error(), "refused: host not in the allow-list (fetch_allow)", raw)
		}
	}

	for _, bad := range []string{"", " ", "https://api.example.com", "api.example.com/path", "a.*.com", "*", "*.", "foo*.com", "api.example.com:0", "api.example.com:http"} {
		assert.Errorf(t, ValidateAllow([]string{bad}), "%q", bad)
	}
	assert.NoError(t, ValidateAllow(nil))
}

func TestCovers(t *testing.T) {
	cases := map[string]bool{
		"198.18.0.0/15":       true,
		"198.18.4.0/24":       true,
		"198.16.0.0/12":       false, // wider than the block
		"192.0.0.170/32":      true,
		"192.88.99.2/32":      true,
		"2001:2::/48":         true,
		"2001:3::/32":         true, // inside 2001::/23
		"2620:4f:8000::/48":   false,
		"fec0::/10":           true,
		"4000::/3":            true, // outside 2000::/3
		"::/0":                false,
		"64:ff9b::/96":        false, // judged by the embedded address
		"8.8.8.0/24":          false,
		"::ffff:0:0/96":       false, // judged by the embedded address
		"::ffff:10.0.0.0/104": true,
	}
	for prefix, want := range cases {
		assert.Equal(t, want, Covers(netip.MustParsePrefix(prefix)), prefix)
	}
}
