package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/people"
)

// An import run as a job (package job) is prepared with PrepareJob — the
// file parsed and previewed, then kept with its preview in a job waiting
// for its person's confirmation — and run, once confirmed, by the handler
// JobHandlers gives, in any process: the file is parsed again and applied
// as Apply does, for the person acting in the role they previewed it in,
// and the job ends in the import's own transaction, so that it is done if
// and only if its rows are written.

// JobKind is the kind of the jobs that import files of k, e.g.
// "import.classes".
func JobKind(k Kind) job.Kind { return job.Kind("import." + string(k)) }

// kindOf returns the kind of file a job imports.
func kindOf(k job.Kind) (Kind, bool) {
	fk, ok := strings.CutPrefix(string(k), "import.")
	return Kind(fk), ok && Kind(fk).Valid()
}

// PreviewRows is how many rows of its plan an import job keeps to show.
const PreviewRows = 500

// jobParams are an import job's parameters.
type jobParams struct {
	School string `json:"school,omitempty"`
	Back   string `json:"back,omitempty"`
}

// jobPreview is an import job's preview: its plan, with its first
// PreviewRows rows, and how many rows it has.
type jobPreview struct {
	Plan *Plan `json:"plan"`
	Rows int   `json:"rows"`
}

// PrepareJob parses data, a file of kind, and previews it for p (Parse,
// Preview). A file with a problem is refused with every problem ([Errors]
// in an *attesta.Error, as Parse and Plan.Err return them). Otherwise it
// returns the plan and the job that imports the file once p confirms it,
// to be started with job.Service.Create; back is where the job's page
// leads afterwards.
func (s *Service) PrepareJob(ctx context.Context, p *auth.Principal, kind Kind, school string, data []byte, back string) (job.Spec, *Plan, error) {
	f, err := Parse(kind, bytes.NewReader(data))
	if err != nil {
		return job.Spec{}, nil, err
	}
	plan, err := s.Preview(ctx, p, kind, school, f)
	if err != nil {
		return job.Spec{}, nil, err
	}
	if err := plan.Err(); err != nil {
		return job.Spec{}, nil, err
	}
	if kind != Classes {
		school = ""
	}
	params, err := json.Marshal(jobParams{School: school, Back: back})
	if err != nil {
		return job.Spec{}, nil, fmt.Errorf("encoding an import job: %w", err)
	}
	kept := *plan
	kept.Rows = plan.Rows[:min(len(plan.Rows), PreviewRows)]
	preview, err := json.Marshal(jobPreview{Plan: &kept, Rows: len(plan.Rows)})
	if err != nil {
		return job.Spec{}, nil, fmt.Errorf("encoding an import job: %w", err)
	}
	return job.Spec{Kind: JobKind(kind), Params: params, Input: data, Preview: preview, Total: f.Len()}, plan, nil
}

// JobHandlers returns the handler of each kind of import job, for the
// runner (job.Service.Run).
func (s *Service) JobHandlers() map[job.Kind]job.Handler {
	hs := map[job.Kind]job.Handler{}
	for _, k := range Kinds {
		hs[JobKind(k)] = s.runJob
	}
	return hs
}

// runJob imports the file of a confirmed job as its owner, acting in the
// role they previewed it in (still theirs, or the import is refused), and
// ends the job in the import's transaction. The problems that refuse the
// file are kept with the job's failure.
func (s *Service) runJob(ctx context.Context, run *job.Run) error {
	j := run.Job
	kind, ok := kindOf(j.Kind)
	if !ok {
		return fmt.Errorf("job %s of kind %s is not an import", j.ID, j.Kind)
	}
	var ps jobParams
	if err := json.Unmarshal(j.Params, &ps); err != nil {
		return fmt.Errorf("reading import job %s: %w", j.ID, err)
	}
	f, err := Parse(kind, bytes.NewReader(j.Input))
	if err == nil {
		as := func(ctx context.Context, r Reader) (*auth.Principal, error) {
			return people.Principal(ctx, r, j.Owner.Person, j.Owner.Org, j.Owner.Role)
		}
		_, err = s.apply(ctx, as, kind, ps.School, f, run.Progress, func(ctx context.Context, w Writer, res *Result) error {
			return run.End(ctx, w, res.Counts)
		})
	}
	var es Errors
	if errors.As(err, &es) {
		return job.WithDetail(err, es)
	}
	return err
}

// JobView is an import job as its pages show it.
type JobView struct {
	Kind   Kind
	School string
	Back   string
	// Plan is what the import would do, while it waits for confirmation:
	// its counts and its first PreviewRows rows; Rows counts them all.
	Plan *Plan
	Rows int
	// Result counts what it did, once done.
	Result *Counts
	// Errors are the problems that refused the file, if it failed so.
	Errors Errors
}

// ViewJob returns what j, an import job, is to its pages; another kind of
// job is NotFound.
func ViewJob(j *job.Job) (*JobView, error) {
	kind, ok := kindOf(j.Kind)
	if !ok {
		return nil, attesta.E(attesta.NotFound, "err.job.notfound", j.ID)
	}
	v := &JobView{Kind: kind}
	var ps jobParams
	if err := json.Unmarshal(j.Params, &ps); err != nil {
		return nil, fmt.Errorf("reading import job %s: %w", j.ID, err)
	}
	v.School, v.Back = ps.School, ps.Back
	if j.Preview != nil {
		var pv jobPreview
		if err := json.Unmarshal(j.Preview, &pv); err != nil {
			return nil, fmt.Errorf("reading the preview of import job %s: %w", j.ID, err)
		}
		v.Plan, v.Rows = pv.Plan, pv.Rows
	}
	if j.Result != nil {
		v.Result = &Counts{}
		if err := json.Unmarshal(j.Result, v.Result); err != nil {
			return nil, fmt.Errorf("reading the result of import job %s: %w", j.ID, err)
		}
	}
	if j.Failure != nil && j.Failure.Detail != nil {
		if err := json.Unmarshal(j.Failure.Detail, &v.Errors); err != nil {
			return nil, fmt.Errorf("reading the problems of import job %s: %w", j.ID, err)
		}
	}
	return v, nil
}
