// Package all registers every platform shopetl has, one file each: import
// it for its side effect, as the binary, the benchmarks and the tests do.
package all
