// Package bench holds the performance benchmarks of the CRM on a large
// SQLite database. They live in bench_test.go and run only with -bench; see
// README.md.
package bench
