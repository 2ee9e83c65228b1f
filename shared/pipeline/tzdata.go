package pipeline

// The functions run on provided.al2023, which has no time zone database (/usr/share/zoneinfo): without it,
// time.LoadLocation fails there and every project zone (quiet hours, reminders) and seller zone (document
// dates) silently becomes UTC, since glassbox's zone lookup falls back to it. The functions built on this
// package (React, Sweep, Flush) embed the database; it adds about 400 KB to each binary.
import _ "time/tzdata"
