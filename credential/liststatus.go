package credential

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/attesta/attesta/internal/vc/statuslist"
)

// ListStatus answers status questions from status list credentials the
// caller already has (given on the command line, or fetched by someone
// else): attesta does not fetch lists from the network.
type ListStatus struct {
	lists map[string]listEntry
}

type listEntry struct {
	purpose statuslist.Purpose
	bits    statuslist.Bitstring
}

// NewListStatus reads status list credentials, keyed by the URL credentials
// refer to them by.
func NewListStatus(lists map[string][]byte) (*ListStatus, error) {
	ls := &ListStatus{lists: map[string]listEntry{}}
	for url, data := range lists {
		var doc struct {
			Type              any `json:"type"`
			CredentialSubject struct {
				Type          string `json:"type"`
				StatusPurpose string `json:"statusPurpose"`
				EncodedList   string `json:"encodedList"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("status list %s: %w", url, err)
		}
		if doc.CredentialSubject.Type != "BitstringStatusList" {
			return nil, fmt.Errorf("status list %s: credentialSubject type %q is not BitstringStatusList", url, doc.CredentialSubject.Type)
		}
		bits, err := statuslist.Decode(doc.CredentialSubject.EncodedList)
		if err != nil {
			return nil, fmt.Errorf("status list %s: %w", url, err)
		}
		ls.lists[url] = listEntry{purpose: statuslist.Purpose(doc.CredentialSubject.StatusPurpose), bits: bits}
	}
	return ls, nil
}

// Status implements StatusSource.
func (ls *ListStatus) Status(_ context.Context, e StatusEntry) (bool, string, error) {
	l, ok := ls.lists[e.ListURL]
	if !ok {
		return false, "", fmt.Errorf("status list %s is not available offline", e.ListURL)
	}
	if l.purpose != e.Purpose {
		return false, "", fmt.Errorf("status list %s has purpose %s, the entry %s", e.ListURL, l.purpose, e.Purpose)
	}
	set, err := l.bits.Get(e.Index)
	if err != nil {
		return false, "", err
	}
	return set, "reason not published", nil
}

// StatusChain asks each source in turn until one knows the list.
type StatusChain []StatusSource

// Status implements StatusSource.
func (c StatusChain) Status(ctx context.Context, e StatusEntry) (bool, string, error) {
	var errs []error
	for _, s := range c {
		if s == nil {
			continue
		}
		set, reason, err := s.Status(ctx, e)
		if err == nil {
			return set, reason, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return false, "", fmt.Errorf("status list %s is not available", e.ListURL)
	}
	return false, "", errors.Join(errs...)
}
