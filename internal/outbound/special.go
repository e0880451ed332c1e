package outbound

import (
	"net/netip"
	"sort"
)

// The blocks fetch_deny_private refuses. Sources:
//
//   - IANA IPv4 Special-Purpose Address Registry,
//     https://www.iana.org/assignments/iana-ipv4-special-registry/
//   - IANA IPv6 Special-Purpose Address Registry,
//     https://www.iana.org/assignments/iana-ipv6-special-registry/
//   - IANA IPv4 and IPv6 Multicast Address Space Registries (224.0.0.0/4,
//     ff00::/8) and the IPv6 Address Space Registry, in which only 2000::/3
//     is allocated as global unicast.
//
// Every registry entry whose "Globally Reachable" column is False or N/A is
// here. Entries marked True that sit inside a refused block (PCP and TURN
// anycast in 192.0.0.0/24; AMT, AS112-v6, ORCHIDv2 and Drone Remote ID in
// 2001::/23) stay refused with it: they are protocol infrastructure, not
// something a plugin fetches. 64:ff9b::/96 (NAT64, globally reachable) is
// judged by the IPv4 address it embeds, and so is ::ffff:0:0/96 (IPv4-mapped).
// RFC 6890 describes the columns.
//
// An address matches its longest block, so the most specific name is the
// one an error gives. `go run ./internal/outbound/ianacheck` downloads the
// registries and lists entries this table misses: run it when IANA updates
// them.
var specialBlocks = sortBlocks([]specialBlock{
	// IPv4 special-purpose registry.
	{"0.0.0.0/8", "unspecified", "RFC 791"}, // "this network"; 0.0.0.0/32 "this host"
	{"10.0.0.0/8", "private", "RFC 1918"},
	{"100.64.0.0/10", "shared (CGNAT)", "RFC 6598"},
	{"127.0.0.0/8", "loopback", "RFC 1122"},
	{"169.254.0.0/16", "link-local", "RFC 3927"},
	{"172.16.0.0/12", "private", "RFC 1918"},
	{"192.0.0.0/24", "IETF protocol assignment", "RFC 6890"}, // incl. DS-Lite 192.0.0.0/29, 192.0.0.8, NAT64 discovery .170/.171
	{"192.0.2.0/24", "documentation (TEST-NET-1)", "RFC 5737"},
	{"192.88.99.0/24", "6to4 relay anycast", "RFC 7526"},
	{"192.168.0.0/16", "private", "RFC 1918"},
	{"198.18.0.0/15", "benchmarking", "RFC 2544"},
	{"198.51.100.0/24", "documentation (TEST-NET-2)", "RFC 5737"},
	{"203.0.113.0/24", "documentation (TEST-NET-3)", "RFC 5737"},
	{"240.0.0.0/4", "reserved", "RFC 1112"},
	{"255.255.255.255/32", "limited broadcast", "RFC 8190"},
	// IPv4 multicast registry.
	{"224.0.0.0/4", "multicast", "RFC 5771"},

	// IPv6 special-purpose registry.
	{"::/128", "unspecified", "RFC 4291"},
	{"::1/128", "loopback", "RFC 4291"},
	{"64:ff9b:1::/48", "NAT64 local-use", "RFC 8215"},
	{"100::/64", "discard-only", "RFC 6666"},
	{"100:0:0:1::/64", "dummy", "RFC 9780"},
	{"2001::/23", "IETF protocol assignment", "RFC 2928"},
	{"2001::/32", "Teredo", "RFC 4380"},
	{"2001:2::/48", "benchmarking", "RFC 5180"},
	{"2001:10::/28", "ORCHID", "RFC 4843"},
	{"2001:20::/28", "ORCHIDv2", "RFC 7343"},
	{"2001:db8::/32", "documentation", "RFC 3849"},
	{"2002::/16", "6to4", "RFC 3056"},
	{"3fff::/20", "documentation", "RFC 9637"},
	{"5f00::/16", "SRv6 SID", "RFC 9602"},
	{"fc00::/7", "unique-local", "RFC 4193"},
	{"fe80::/10", "link-local", "RFC 4291"},
	// Deprecated site-local (RFC 3879), still routed inside some networks.
	{"fec0::/10", "site-local", "RFC 3879"},
	// IPv6 multicast registry.
	{"ff00::/8", "multicast", "RFC 4291"},
})

var (
	nat64Prefix   = netip.MustParsePrefix("64:ff9b::/96")
	ipv4Mapped    = netip.MustParsePrefix("::ffff:0:0/96")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

type specialBlock struct {
	prefix string
	kind   string // how an error names the address: "a <kind> address"
	source string
}

type parsedBlock struct {
	prefix netip.Prefix
	kind   string
}

// sortBlocks parses the table, longest prefix first.
func sortBlocks(blocks []specialBlock) []parsedBlock {
	out := make([]parsedBlock, len(blocks))
	for i, b := range blocks {
		out[i] = parsedBlock{prefix: netip.MustParsePrefix(b.prefix), kind: b.kind}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].prefix.Bits() > out[j].prefix.Bits() })
	return out
}

// classifyAddr names the kind of non-public address ip is, or returns "" for
// an address fetch_deny_private lets through.
func classifyAddr(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if ip.Is6() && nat64Prefix.Contains(ip) {
		b := ip.As16()
		return classifyAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	for _, b := range specialBlocks {
		if b.prefix.Contains(ip) {
			return b.kind
		}
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return "reserved"
	}
	return ""
}

// Covers reports whether fetch_deny_private refuses every address of p. The
// registry check (internal/outbound/ianacheck) uses it to compare the table
// with IANA's current registries.
func Covers(p netip.Prefix) bool {
	p = p.Masked()
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return Covers(netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96))
	}
	for _, b := range specialBlocks {
		if b.prefix.Bits() <= p.Bits() && b.prefix.Contains(p.Addr()) {
			return true
		}
	}
	return p.Addr().Is6() && !globalUnicast.Overlaps(p) && !nat64Prefix.Overlaps(p) && !ipv4Mapped.Overlaps(p)
}
