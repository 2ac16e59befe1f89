package testserver

import (
	"context"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/internal/server"
)

// DemoSession returns the demo's closed commission session, the Milan
// Chamber's, as its operator reads it: its one badge is Francesca
// Lombardi's C1, issued through the session's issuance as every badge is.
func DemoSession(tb testing.TB, srv *server.Server) *commission.SessionView {
	tb.Helper()
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := svc.Commissions.Commissions(ctx, chamber)
	if err != nil || len(cs) != 1 {
		tb.Fatalf("the demo commission: %v", err)
	}
	cv, err := svc.Commissions.Get(ctx, chamber, cs[0].ID)
	if err != nil || len(cv.Sessions) != 1 {
		tb.Fatalf("the demo session: %v", err)
	}
	sv, err := svc.Commissions.GetSession(ctx, chamber, cv.Sessions[0].ID)
	if err != nil || len(sv.Badges) != 1 {
		tb.Fatalf("the demo badge: %v", err)
	}
	return sv
}

// DemoBadge returns the credential id of the demo's commission-issued
// badge (DemoSession's).
func DemoBadge(tb testing.TB, srv *server.Server) string {
	tb.Helper()
	return DemoSession(tb, srv).Badges[0].Credential
}
