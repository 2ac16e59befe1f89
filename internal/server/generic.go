package server

import (
	"context"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/issuer"
)

// prepareGenericIssuer makes sure the issuer of the VC-API's generic
// credentials exists: the one opts.GenericIssuer names, created as a service
// issuer (not a Chamber) when the database has none of that id. A Chamber
// named there signs them with its own key, as the deployment said.
func prepareGenericIssuer(ctx context.Context, db Database, opts Options) error {
	if opts.GenericIssuer == "" {
		return nil
	}
	iss, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: opts.PublicURL, KEK: opts.KEK, Clock: opts.Clock, Rand: opts.Rand})
	if err != nil {
		return err
	}
	have, err := iss.Issuer(ctx, opts.GenericIssuer)
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound:
		if _, err := iss.CreateService(ctx, opts.GenericIssuer, "attesta VC-API"); err != nil && attesta.ErrorCode(err) != attesta.Conflict {
			return fmt.Errorf("the issuer of generic credentials: %w", err)
		}
		opts.Log.Info("created the issuer of generic credentials", "issuer", opts.GenericIssuer)
	case err != nil:
		return fmt.Errorf("the issuer of generic credentials: %w", err)
	case have.Chamber():
		opts.Log.Warn("generic credentials are signed with a Chamber's key, as configured", "issuer", opts.GenericIssuer)
	}
	return nil
}
