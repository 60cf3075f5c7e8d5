package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// rowQuerier runs a query for its first row. It is what the statements the
// claim writer shares with the rest of the store run on: a pool or a
// transaction (sqlQuerier), or a claim batch on the writer's driver
// connection (claimTx).
type rowQuerier interface {
	queryRow(ctx context.Context, query string, args ...any) scanner
}

// sqlQuerier is a database/sql pool or transaction as a rowQuerier.
type sqlQuerier struct{ queryRower }

func (q sqlQuerier) queryRow(ctx context.Context, query string, args ...any) scanner {
	return q.QueryRowContext(ctx, query, args...)
}

// rawConn is the writer connection's SQLite driver connection, held by the
// claim writer through sql.Conn.Raw for one batch. Statements on it skip
// database/sql's per-call locking, argument conversion and wrappers.
type rawConn struct{ c *sqlite3.SQLiteConn }

// withRawConn runs fn on the writer connection's driver connection and then
// gives the connection back to the single-connection pool, so the other
// writers (events, stores) go on sharing it.
func (db *DB) withRawConn(ctx context.Context, fn func(rawConn) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("writer connection is a %T, not a *sqlite3.SQLiteConn", dc)
		}
		return fn(rawConn{c})
	})
}

// begin starts a transaction (BEGIN IMMEDIATE: the pool's _txlock).
func (rc rawConn) begin(ctx context.Context) (driver.Tx, error) {
	return rc.c.BeginTx(ctx, driver.TxOptions{})
}

// exec runs a statement that is not worth preparing (see rawStmt); the
// statement is finalized, so one that returns rows leaves nothing open.
func (rc rawConn) exec(ctx context.Context, query string, args ...any) (driver.Result, error) {
	named, err := namedValues(args)
	if err != nil {
		return nil, err
	}
	return rc.c.ExecContext(ctx, query, named)
}

// firstRow reads the first row of a query's rows and closes them.
func firstRow(rows driver.Rows, err error) scanner {
	if err != nil {
		return rawRow{err: err}
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err != nil {
		if errors.Is(err, io.EOF) {
			err = sql.ErrNoRows
		}
		return rawRow{err: err}
	}
	return rawRow{vals: vals}
}

// namedValues converts arguments as database/sql does for SQLite.
func namedValues(args []any) ([]driver.NamedValue, error) {
	vals, err := driverValues(args)
	if err != nil {
		return nil, err
	}
	named := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return named, nil
}

// driverValues converts arguments to driver values as database/sql does.
func driverValues(args []any) ([]driver.Value, error) {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		vals[i] = v
	}
	return vals, nil
}

// rawRow is a row read by rawStmt.queryRow. Its Scan fills the kinds of
// destination the writer's queries use: sql.Scanner, *int64, *int and
// *string (NULL only into a sql.Scanner, as database/sql).
type rawRow struct {
	vals []driver.Value
	err  error
}

func (r rawRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if len(dest) != len(r.vals) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.vals))
	}
	for i, d := range dest {
		if err := scanValue(d, r.vals[i]); err != nil {
			return fmt.Errorf("scan column %d: %w", i, err)
		}
	}
	return nil
}

func scanValue(dest any, v driver.Value) error {
	if s, ok := dest.(sql.Scanner); ok {
		return s.Scan(v)
	}
	if v == nil {
		return fmt.Errorf("converting NULL to %T is unsupported", dest)
	}
	var n sql.NullInt64
	switch d := dest.(type) {
	case *int64:
		err := n.Scan(v)
		*d = n.Int64
		return err
	case *int:
		err := n.Scan(v)
		*d = int(n.Int64)
		return err
	case *string:
		var s sql.NullString
		err := s.Scan(v)
		*d = s.String
		return err
	}
	return fmt.Errorf("scanning into %T is unsupported", dest)
}

// rawStmt is a statement prepared on a rawConn, with its argument slice
// kept between calls: the claim writer's per-claim statements.
type rawStmt struct {
	stmt *sqlite3.SQLiteStmt
	args []driver.NamedValue
}

func prepareRaw(rc rawConn, query string) (rawStmt, error) {
	prepared, err := rc.c.Prepare(query)
	if err != nil {
		return rawStmt{}, err
	}
	st := prepared.(*sqlite3.SQLiteStmt)
	args := make([]driver.NamedValue, st.NumInput())
	for i := range args {
		args[i].Ordinal = i + 1
	}
	return rawStmt{stmt: st, args: args}, nil
}

// exec runs the statement with args, which must be driver values (int64,
// float64, string, nil…) and exactly as many as the statement takes.
func (s *rawStmt) exec(ctx context.Context, args ...driver.Value) (driver.Result, error) {
	if err := s.bind(args); err != nil {
		return nil, err
	}
	return s.stmt.ExecContext(ctx, s.args)
}

// bind sets the arguments of the next call.
func (s *rawStmt) bind(args []driver.Value) error {
	if len(args) != len(s.args) {
		return fmt.Errorf("statement takes %d arguments, not %d", len(s.args), len(args))
	}
	for i, v := range args {
		s.args[i].Value = v
	}
	return nil
}

// queryRow runs the prepared query with args for its first row: like
// sql.DB.QueryRowContext, its Scan returns sql.ErrNoRows when there is none.
func (s *rawStmt) queryRow(ctx context.Context, args ...driver.Value) scanner {
	if err := s.bind(args); err != nil {
		return rawRow{err: err}
	}
	return firstRow(s.stmt.QueryContext(ctx, s.args))
}

func (s *rawStmt) close() {
	if s.stmt != nil {
		s.stmt.Close()
	}
	*s = rawStmt{}
}
