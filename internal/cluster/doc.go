// Package cluster tests attesta run as several processes on one PostgreSQL
// database, as it is deployed when one machine is not enough: each test
// starts two or more complete servers (internal/server) on one database,
// each with its own connection pool and its own runner of jobs, and
// checks what one process starts another shows, confirms and finishes —
// an import previewed on one server and confirmed on another, a server
// stopped or dead under a job that another takes up.
//
// It holds tests only; they run when a PostgreSQL server answers at
// ATTESTA_TEST_POSTGRES_URL (internal/testenv), as those of
// storage/postgres.
package cluster
