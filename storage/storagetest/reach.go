package storagetest

import (
	"context"
	"slices"
	"testing"

	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/roundtable"
)

// testReach lists organisations, the audit trail and the tables straight
// from the stores, by an auth.Reach: the zero value, and a reach of empty
// lists, list nothing while there is data to list; everything lists all;
// organisations and provinces list theirs.
func testReach(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	mi, err := w.tables.Create(ctx, admin, roundtable.Table{Chamber: "cciaa-milano", Sector: "turismo", Year: "2026/27", Title: "Tavolo Turismo Milano"})
	if err != nil {
		t.Fatal(err)
	}
	orgs := func(r auth.Reach) (ids []string) {
		t.Helper()
		err := w.db.Organisations().View(ctx, func(rd org.Reader) error {
			list, err := rd.Organisations(ctx, org.Filter{Reach: r, Limit: org.MaxLimit})
			for _, o := range list {
				ids = append(ids, o.ID)
			}
			return err
		})
		if err != nil {
			t.Fatalf("listing organisations: %v", err)
		}
		slices.Sort(ids)
		return ids
	}
	entries := func(r auth.Reach) (n int) {
		t.Helper()
		err := w.db.Audit().View(ctx, func(rd audit.Reader) error {
			list, err := rd.Entries(ctx, audit.Filter{Reach: r, Limit: audit.MaxLimit})
			n = len(list)
			return err
		})
		if err != nil {
			t.Fatalf("listing the audit trail: %v", err)
		}
		return n
	}
	tables := func(r auth.Reach) (ids []string) {
		t.Helper()
		err := w.store.View(ctx, func(rd roundtable.Reader) error {
			list, err := rd.Tables(ctx, roundtable.Filter{Reach: r, Limit: roundtable.MaxLimit})
			ids = tableIDs(list)
			return err
		})
		if err != nil {
			t.Fatalf("listing tables: %v", err)
		}
		slices.Sort(ids)
		return ids
	}

	all := orgs(auth.ReachAll())
	if len(all) != 10 {
		t.Fatalf("everything lists %d organisations, want the 10 registered: %v", len(all), all)
	}
	if n := entries(auth.ReachAll()); n < 10 {
		t.Fatalf("everything lists %d audit entries, want every change", n)
	}
	if got, want := tables(auth.ReachAll()), slices.Sorted(slices.Values([]string{tb.ID, mi.ID})); !slices.Equal(got, want) {
		t.Fatalf("everything lists tables %v, want %v", got, want)
	}

	for name, r := range map[string]auth.Reach{
		"the zero value": {},
		"no ids":         auth.ReachOrgs(),
		"no provinces":   auth.ReachProvinces(),
		"empty strings":  auth.ReachOrgs("").Or(auth.ReachProvinces("")),
		"nobody's":       auth.ReachOf(nil),
	} {
		if got := orgs(r); len(got) != 0 {
			t.Errorf("%s lists organisations %v", name, got)
		}
		if n := entries(r); n != 0 {
			t.Errorf("%s lists %d audit entries", name, n)
		}
		if got := tables(r); len(got) != 0 {
			t.Errorf("%s lists tables %v", name, got)
		}
	}

	// Some organisations, some provinces.
	if got, want := orgs(auth.ReachOrgs("itis-avogadro", "cciaa-milano")), []string{"cciaa-milano", "itis-avogadro"}; !slices.Equal(got, want) {
		t.Errorf("by id: %v, want %v", got, want)
	}
	if got, want := orgs(auth.ReachProvinces("MI")), []string{"cciaa-milano", "itis-feltrinelli", "milano-srl"}; !slices.Equal(got, want) {
		t.Errorf("by province: %v, want %v", got, want)
	}
	if got, want := orgs(auth.ReachOrgs("unioncamere").Or(auth.ReachProvinces("AT"))), []string{"asti-meccanica", "unioncamere"}; !slices.Equal(got, want) {
		t.Errorf("by id or province: %v, want %v", got, want)
	}
	// The audit trail: by the organisation a change is about, or whose
	// person made it. In Milan, the national body created three
	// organisations and a table; the Turin Chamber created its own table.
	if n := entries(auth.ReachProvinces("MI")); n != 4 {
		t.Errorf("entries about Milan: %d, want the 3 organisations and the table created there", n)
	}
	if n, all := entries(auth.ReachOrgs("cciaa-torino")), entries(auth.ReachAll()); n == 0 || n >= all {
		t.Errorf("entries by or about the Turin Chamber: %d of %d", n, all)
	}
	// Tables: run by the organisation, or with it among the members; the
	// provinces do not count.
	for _, c := range []struct {
		r    auth.Reach
		want []string
	}{
		{auth.ReachOrgs("cciaa-torino"), []string{tb.ID}},
		{auth.ReachOrgs("cciaa-milano"), []string{mi.ID}},
		{auth.ReachOrgs("meccanica-srl"), []string{tb.ID}},
		{auth.ReachOrgs("ipsia-torino"), []string{}},
		{auth.ReachProvinces("TO", "MI"), []string{}},
	} {
		if got := tables(c.r); !slices.Equal(got, c.want) {
			t.Errorf("tables of %v: %v, want %v", c.r.Orgs(), got, c.want)
		}
	}
}
