package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/pdf"
	"github.com/attesta/attesta/internal/qr"
)

// The attestato di competenza: a badge printed on A4 in Italian or
// English — the learner, the competence, the awarding Chamber under the
// mark, every element of Annex I of the Council Recommendation on
// micro-credentials, the results, the commission's decision and its
// minutes, and a QR code to the public verification of the credential,
// which the PDF also carries as an embedded file (badge.json), so that
// uploading the PDF to the verification page verifies it.

// attestato serves the printout of a badge.
func (s *Site) attestato(w http.ResponseWriter, r *http.Request) {
	p := s.pageFor(w, r)
	c, err := s.card(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := ""
	if prof, err := s.platform.People.Profile(r.Context(), p.User, c.Badge.Candidate); err == nil {
		name = prof.Person.Name()
	}
	d, err := s.attestatoDoc(p, c, name, s.publicURL(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendPDF(w, r, d, "attestato-"+strings.TrimPrefix(c.Name(), "badge-"))
}

// VerifyURL is the address of the public verification of a stored
// credential: what the QR code of its printout says.
func VerifyURL(base, credentialID string) string {
	return base + "/verify?" + url.Values{"credential": {credentialID}}.Encode()
}

func (s *Site) attestatoDoc(p *page, c *badgeCard, learner, base string) (*pdf.Doc, error) {
	sum := c.Sum
	title := p.T("attestato.title")
	if sum.Area {
		title = p.T("attestato.title.area")
	}
	d := printed(p, title)
	d.Small(p.T("attestato.mark"))
	top := d.Y()
	img, err := c.Picture(p.Lang).PNG()
	if err != nil {
		return nil, err
	}
	// The picture at the top right, the facts beside it.
	d.Image("badge", img, 210-18-38, top-14, 38)
	facts := []pdf.Fact{
		{Label: p.T("attestato.learner"), Value: learner},
		{Label: p.T("attestato.competence"), Value: strings.TrimSpace(sum.Code + " " + c.Title)},
		{Label: p.T("attestato.sector"), Value: p.T("attestato.standard", c.Sector, sum.Version)},
		{Label: p.T("attestato.issuer"), Value: sum.Issuer.Name},
		{Label: p.T("attestato.owner"), Value: sum.TitleHolder},
		{Label: p.T("attestato.issued"), Value: p.Date(sum.ValidFrom)},
		{Label: p.T("attestato.id"), Value: sum.ID},
	}
	if !sum.ValidUntil.IsZero() {
		facts = append(facts, pdf.Fact{Label: p.T("attestato.until"), Value: p.Date(sum.ValidUntil)})
	}
	wide := d.Narrow(44)
	d.Facts(facts)
	wide()
	if d.Y() < top+30 {
		d.SetY(top + 30)
	}

	if len(c.Sum.Outcomes) > 0 {
		d.Heading(p.T("attestato.outcomes"))
		d.List(c.Sum.Outcomes)
	}
	if len(sum.Competences) > 0 {
		d.Heading(p.T("attestato.competences"))
		var items []string
		for _, a := range sum.Competences {
			items = append(items, a.Code+" "+a.Name)
		}
		d.List(items)
	}
	if len(sum.Results) > 0 {
		d.Heading(p.T("attestato.results"))
		var rows [][]string
		for _, res := range c.Results(p) {
			rows = append(rows, []string{res[0], res[1]})
		}
		d.Table([]float64{0.5, 0.5}, []string{p.T("attestato.result"), p.T("attestato.value")}, rows)
	}
	if sum.Decision.Reference != "" {
		d.Heading(p.T("attestato.decision"))
		df := []pdf.Fact{
			{Label: p.T("attestato.commission"), Value: sum.Decision.Commission},
			{Label: p.T("attestato.minutes"), Value: sum.Decision.Reference},
			{Label: p.T("attestato.decided"), Value: p.Date(sum.Decision.Date)},
		}
		for _, e := range sum.Evidence {
			df = append(df, pdf.Fact{Label: p.T("attestato.evidence"), Value: e.Narrative + " (" + e.Digest + ")"})
		}
		d.Facts(df)
	}

	d.Heading(p.T("attestato.eu"))
	d.Facts(s.euElements(p, c))

	d.Heading(p.T("attestato.verify"))
	link := VerifyURL(base, sum.ID)
	code, err := qr.Matrix(link, qr.Medium)
	if err != nil {
		return nil, err
	}
	const module = 0.8 // millimetres: a code of 33 modules and its quiet zone is 33 mm wide
	side := float64(len(code)+2*qr.QuietZone) * module
	if d.Y()+side > 297-24 {
		d.Heading("")
	}
	y := d.Y()
	d.Squares(code, 18+qr.QuietZone*module, y+qr.QuietZone*module, module)
	d.SetY(y + side + 2)
	d.Small(p.T("attestato.verify.how", link))
	d.Small(p.T("attestato.verify.embedded"))
	d.Attach("badge.json", p.T("attestato.attachment"), c.Body)
	return d, nil
}

// euElements are the elements of Annex I: the mandatory ones, then those
// the badge has of the optional ones.
func (s *Site) euElements(p *page, c *badgeCard) []pdf.Fact {
	sum, mc := c.Sum, c.MC
	or := func(t string, fallback string) string {
		if t != "" {
			return t
		}
		return fallback
	}
	level := ""
	if sum.EQF > 0 {
		level = p.T("attestato.eu.eqf", sum.EQF)
		if sum.QNQ > 0 {
			level += " · " + p.T("attestato.eu.qnq", sum.QNQ)
		}
	}
	workload := sum.LearningPath
	if w := p.In(mc.Workload); w != "" {
		workload = w
	}
	if mc.WorkloadHours > 0 {
		workload = strings.TrimSpace(p.T("attestato.eu.hours", mc.WorkloadHours) + " " + workload)
	}
	var modes []string
	for _, m := range sum.Participation {
		modes = append(modes, p.Lookup("mode.", m))
	}
	facts := []pdf.Fact{
		{Label: p.T("attestato.eu.learner"), Value: p.T("attestato.eu.learner.how")},
		{Label: p.T("attestato.eu.title"), Value: c.Title},
		{Label: p.T("attestato.eu.country"), Value: p.T("attestato.eu.italy")},
		{Label: p.T("attestato.eu.body"), Value: sum.Issuer.Name},
		{Label: p.T("attestato.eu.date"), Value: p.Date(sum.ValidFrom)},
		{Label: p.T("attestato.eu.outcomes"), Value: p.T("attestato.eu.outcomes.above")},
		{Label: p.T("attestato.eu.workload"), Value: workload},
		{Label: p.T("attestato.eu.level"), Value: level},
		{Label: p.T("attestato.eu.assessment"), Value: or(p.In(mc.Assessment), sum.Assessment)},
		{Label: p.T("attestato.eu.participation"), Value: strings.Join(modes, ", ")},
		{Label: p.T("attestato.eu.quality"), Value: or(p.In(mc.QualityAssurance), sum.Quality)},
	}
	if pre := p.In(mc.Prerequisites); pre != "" {
		facts = append(facts, pdf.Fact{Label: p.T("attestato.eu.prerequisites"), Value: pre})
	}
	facts = append(facts, pdf.Fact{Label: p.T("attestato.eu.identity"), Value: p.T("attestato.eu.identity.how")})
	if len(sum.Stackable) > 0 {
		facts = append(facts, pdf.Fact{Label: p.T("attestato.eu.stackable"), Value: strings.Join(sum.Stackable, ", ")})
	}
	return facts
}

// resultName says what a result is in the page's language: the names
// attesta gives results ("Osservazione ADA…/RA1/E2", "Test online C1")
// with their first words translated.
func resultName(p *page, r credential.ResultLine) string {
	switch {
	case strings.HasPrefix(r.Name, "Osservazione "):
		return p.T("result.observation.of", strings.TrimPrefix(r.Name, "Osservazione "))
	case strings.HasPrefix(r.Name, "Test online "):
		return p.T("result.test.of", strings.TrimPrefix(r.Name, "Test online "))
	case r.Kind == "Percent":
		return p.T("result.test")
	case r.Kind == "RubricCriterionLevel":
		return p.T("result.observation")
	case r.Kind == "Status":
		return p.T("result.commission")
	}
	return r.Name
}

// resultValue says a result's value in the page's language: a level by
// the standard's scale when the badge's standard is known here.
func (c *badgeCard) resultValue(p *page, r credential.ResultLine) string {
	switch {
	case r.Kind == "Percent" && r.Required != "":
		return p.T("result.percent.required", decimal(p, r.Value), decimal(p, r.Required))
	case r.Kind == "Percent":
		return p.T("result.percent", decimal(p, r.Value))
	case r.Kind == "RubricCriterionLevel" && r.Levels > 0:
		name := r.Value
		if c.Std != nil {
			if sc := scaleOf(c.Std); len(sc) == r.Levels {
				name = p.In(sc[r.Level-1].Label)
			}
		}
		return p.T("result.level", name, r.Level, r.Levels)
	case r.Kind == "Status" && r.Value == "Completed":
		return p.T("result.certified")
	}
	return r.Value
}

// Results are the badge's results as the page says them.
func (c *badgeCard) Results(p *page) [][2]string {
	var out [][2]string
	for _, r := range c.Sum.Results {
		out = append(out, [2]string{resultName(p, r), c.resultValue(p, r)})
	}
	return out
}

// decimal says a decimal as the page's reader writes it (87,5 in Italian).
func decimal(p *page, v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	return p.Number(f)
}
