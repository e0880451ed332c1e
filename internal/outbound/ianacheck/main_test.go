package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registryFixture is written in the registries' shape: a quoted cell with
// two blocks, footnote marks, a line break inside a quoted cell, and an
// entry with no flags (terminated).
const registryFixture = `Address Block,Name,RFC,Allocation Date,Termination Date,Source,Destination,Forwardable,Globally Reachable,Reserved-by-Protocol
10.0.0.0/8,Private-Use,[RFC1918],1996-02,N/A,True,True,True,False,False
192.0.0.0/24 [2],IETF Protocol Assignments,"[RFC6890], Section 2.1",2010-01,N/A,False,False,False,False,False
192.0.0.9/32,Port Control Protocol Anycast,[RFC7723],2015-10,N/A,True,True,True,True,False
"192.0.0.170/32, 192.0.0.171/32",NAT64/DNS64 Discovery,"[RFC8880]
        [RFC7050], Section 2.2",2013-02,N/A,False,False,False,False,True
192.52.193.0/24,AMT,[RFC7450],2014-12,N/A,True,True,True,True,False
192.88.99.0/24,Deprecated (6to4 Relay Anycast),[RFC7526],2001-06,2015-03,,,,,
203.0.113.0/24,Documentation (TEST-NET-3),[RFC5737],2010-01,N/A,False,False,False,False,False
1.2.3.0/24,A block the table lacks,[RFC0000],2030-01,N/A,False,False,False,False,False
2001::/32,TEREDO,[RFC4380],2006-01,N/A,True,True,True,N/A [2],False
64:ff9b::/96,IPv4-IPv6 Translat.,[RFC6052],2010-10,N/A,True,True,True,True,False
::ffff:0:0/96,IPv4-mapped Address,[RFC4291],2006-02,N/A,False,False,False,False,True
`

func TestParseAndCheck(t *testing.T) {
	entries, err := parse(strings.NewReader(registryFixture))
	require.NoError(t, err)
	require.Len(t, entries, 12, "the two-block cell is two entries")
	assert.Equal(t, "192.0.0.171/32", entries[4].prefix.String())
	assert.Equal(t, "False", entries[4].reachable)
	assert.Equal(t, "192.0.0.0/24", entries[1].prefix.String(), "footnote marks are dropped")
	assert.True(t, entries[6].terminated)
	assert.Equal(t, "N/A", entries[9].reachable)

	r := check(entries)
	assert.Equal(t, []string{"1.2.3.0/24 (A block the table lacks, globally reachable: False)"}, r.missing)
	assert.Equal(t, []string{"192.0.0.9/32 (Port Control Protocol Anycast, globally reachable: True)"}, r.extra)
}

func TestParseRejectsOtherShapes(t *testing.T) {
	_, err := parse(strings.NewReader("Prefix,Designation\n1.0.0.0/8,APNIC\n"))
	assert.ErrorContains(t, err, `no "Address Block" column`)
	_, err = parse(strings.NewReader("Address Block,Name,Termination Date,Globally Reachable\nnot-a-block,x,N/A,False\n"))
	assert.ErrorContains(t, err, "row 2")
}
