package credential

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/jsonld"
)

// Context URLs of the credentials attesta issues, in the order they appear.
const (
	ContextVC      = "https://www.w3.org/ns/credentials/v2"
	ContextOB      = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextAttesta = "https://w3id.org/attesta/v1"
)

// AttestaContextPath is where attesta serves its extension context.
const AttestaContextPath = "/contexts/attesta/v1.jsonld"

//go:embed contexts/*.json contexts/*.jsonld
var contextFiles embed.FS

// pinnedContext is an embedded JSON-LD context and the SHA-256 its bytes
// must have. The OB 3.0.3 context has been edited in place upstream: the hash
// says which edition attesta signs against.
type pinnedContext struct {
	file   string
	sha256 string
}

var pinned = map[string]pinnedContext{
	ContextVC:      {"www.w3.org_ns_credentials_v2.jsonld", "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f"},
	ContextOB:      {"purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json", "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"},
	ContextAttesta: {"attesta-v1.jsonld", "89ba64009ea11b484f5fc0fb625f35148c2e84669f557fa218e89f50f25c8aab"},

	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": {"purl.imsglobal.org_spec_ob_v3p0_context-3.0.2.json", "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53"},
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": {"purl.imsglobal.org_spec_ob_v3p0_context-3.0.1.json", "af095468326d3449160509b26ca71576e6321d13c85b0369cfe3b654c9a48fba"},
	"https://purl.imsglobal.org/spec/ob/v3p0/context.json":       {"purl.imsglobal.org_spec_ob_v3p0_context.json", "9f1c8f9f361ba2994b9b50701f41149919542c50c7b7455b2846d87959295d72"},
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json":    {"purl.imsglobal.org_spec_ob_v3p0_extensions.json", "2d013f981d1f4516081a6a04e55468ba2b071d4153b794f19a79715c45a89a5e"},
	"https://www.w3.org/2018/credentials/v1":                     {"www.w3.org_2018_credentials_v1.jsonld", "00d7dd6d3ad8b920e3e550dd3a3d9090bffcac84cdbf943da6924b3e0a5c8bb8"},
	"https://w3id.org/security/data-integrity/v2":                {"w3id.org_security_data-integrity_v2.jsonld", "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363"},
	"https://w3id.org/security/data-integrity/v1":                {"w3id.org_security_data-integrity_v1.jsonld", "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554"},
	"https://w3id.org/security/multikey/v1":                      {"w3id.org_security_multikey_v1.jsonld", "8e6bad2e5b4f0721906a4dcc2f7a894b1215cf9a47014c71e286423860642ff0"},
	"https://www.w3.org/ns/did/v1":                               {"www.w3.org_ns_did_v1.jsonld", "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f"},
	// The W3C examples context: every term in the examples vocabulary
	// (the VC 2.0 specification's examples and the W3C test suites).
	ContextExamples: {"www.w3.org_ns_credentials_examples_v2.jsonld", "0a9fc589ab6ab89ca41a9001b50e69e35e62f20245679ae4b6801626720a0e07"},
}

// ContextExamples is the W3C credentials examples context.
const ContextExamples = "https://www.w3.org/ns/credentials/examples/v2"

// Contexts returns every embedded context by URL, each checked against its
// pinned hash.
func Contexts() (map[string][]byte, error) {
	out := make(map[string][]byte, len(pinned))
	for url, p := range pinned {
		data, err := contextFiles.ReadFile("contexts/" + p.file)
		if err != nil {
			return nil, fmt.Errorf("context %s: %w", url, err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != p.sha256 {
			return nil, fmt.Errorf("context %s: embedded file has sha256 %x, pinned %s", url, sum, p.sha256)
		}
		out[url] = data
	}
	return out, nil
}

// AttestaContext returns attesta's extension context as served at
// AttestaContextPath.
func AttestaContext() []byte {
	data, err := contextFiles.ReadFile("contexts/" + pinned[ContextAttesta].file)
	if err != nil {
		panic("credential: attesta context not embedded")
	}
	return data
}

var processor = sync.OnceValues(func() (*jsonld.Processor, error) {
	ctxs, err := Contexts()
	if err != nil {
		return nil, err
	}
	docs := make(map[string]jsonld.Pinned, len(ctxs))
	for url, data := range ctxs {
		docs[url] = jsonld.Pinned{Data: data, SHA256: pinned[url].sha256}
	}
	d, err := jsonld.NewDocuments(docs)
	if err != nil {
		return nil, err
	}
	return jsonld.NewProcessor(d, jsonld.Limits{}), nil
})

// NewProcessor returns the strict, offline JSON-LD processor over the
// embedded contexts. It is shared: processed contexts are cached once per
// process.
func NewProcessor() (*jsonld.Processor, error) { return processor() }

// NewSuite returns the Data Integrity suite over NewProcessor.
func NewSuite() (*dataintegrity.Suite, error) {
	p, err := processor()
	if err != nil {
		return nil, err
	}
	return dataintegrity.NewSuite(p), nil
}
