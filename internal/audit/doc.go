// Package audit keeps the HIPAA audit trail: an append-only, tamper-evident
// chain of entries (DESIGN.md decision 10).
//
// # Chain
//
// Entries are numbered 1, 2, 3, … without gaps; the writer sets each id
// explicitly to the previous id plus one and never relies on the database's
// autoincrement, so a gap always means a deleted row. Every entry has
//
//	prev_mac = mac of the previous entry ("" for entry 1)
//	mac      = hex(HMAC-SHA256(key, prev_mac || canonical(entry)))
//
// Only mac is stored, as its 32 bytes (and body_sha256 as its bytes): the
// MAC is over the hex, exactly as before the 20261206 audit_compact
// migration, so entries written before and after it verify in one chain.
// prev_mac is read from entry id-1 wherever it is needed (Verify, Export);
// a check that starts mid-chain (VerifyTail, an export from a date) takes
// that entry's MAC as its anchor, and entry 1's is GenesisMAC.
//
// The key lives outside the database (a 0600 file or a setting, see LoadKey),
// so someone who can write to the database but does not hold the key cannot
// produce a MAC: an edited, forged, deleted or reordered row breaks the chain
// at that point, and Verify names it. Deleting the newest rows leaves a valid,
// shorter chain; only a head (id and mac) kept elsewhere catches that, which
// is why Verify accepts an expected head and `avatarcrm audit head` prints one
// for operators to store off the machine.
//
// # Canonical form (version 1)
//
// canonical(entry) is the byte string
//
//	"v1" then, for each field in this order,
//	";" name "=" decimal-byte-length ":" value
//
// with the fields id, at, user_id, email, location_id, action,
// resource_type, resource_id, operation, method, path, ip, user_agent,
// status, latency_ms, phi, body_sha256, detail. Integers are written in
// decimal, phi as "true" or "false", and at in UTC at fixed microsecond
// precision as 2006-01-02T15:04:05.000000Z. The length prefix makes the
// encoding unambiguous whatever a value contains, and the leading "v" (not a
// hex digit) separates it from prev_mac, which is empty or 64 hex digits.
// For example entry 1 begins
//
//	v1;id=1:1;at=27:2026-03-10T22:00:00.000000Z;user_id=0:;…
//
// Times are truncated to microseconds before they are stored and MACed,
// because PostgreSQL keeps microseconds and SQLite keeps what it is given: a
// nanosecond that the database dropped would otherwise break the MAC. Strings
// are made valid UTF-8 without NUL bytes (PostgreSQL refuses both) and capped
// in length before MACing, so what is stored is exactly what was MACed.
//
// # Writers and serialisation
//
// All chain writers go through Append, inside a transaction: read the newest
// (id, mac), then insert the new entries with explicit ids. Two writers must
// never read the same head. On PostgreSQL Append first takes
// pg_advisory_xact_lock(LockKey) in the transaction, held until it commits or
// rolls back; the next writer's head read is a new statement with a new
// READ COMMITTED snapshot, so it sees the entries just committed. On SQLite
// the application's DSN sets _txlock=immediate (internal/db), so every
// transaction begins with BEGIN IMMEDIATE and holds the database's single
// write lock from its first statement: no other writer can commit between
// the head read and the insert. Either way the primary key on id is the last
// line of defence: a second writer that somehow read a stale head fails with
// a unique violation instead of forking the chain.
//
// Three paths feed the chain:
//
//   - Append(ctx, tx, …) writes inside the caller's transaction, so a change
//     and its entry commit together (used by sign-in, permission changes…).
//   - Hook writes create/update/delete entries for every ent mutation; inside
//     a transaction it defers the write to the commit (still inside the
//     transaction), so the chain lock is held only for the moment of commit.
//   - Record queues read/request entries for a background writer that
//     flushes a batch in one transaction at least every FlushInterval.
package audit
