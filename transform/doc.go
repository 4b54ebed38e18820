// Package transform turns platform records into canonical rows (SPEC §4).
// Each platform has one file here holding its mapping table and record
// decoder, registered under its platform key; decode.go reads the loose
// scalar shapes the APIs send (numbers as strings, "" and null for none).
//
// Records are decoded by github.com/goccy/go-json, chosen by measurement
// (README, "Decoding"): it calls the same UnmarshalJSON methods as
// encoding/json, about four times faster on the platforms' pages.
package transform
