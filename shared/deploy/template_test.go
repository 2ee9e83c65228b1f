package deploy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// The repository root, seen from this package's directory (go test runs in it).
const root = "../.."

// node is a thin reader over a parsed template. CloudFormation short tags (!Sub, !Ref, !GetAtt) stay on the
// yaml.Node's Tag; the values keep their text.
type node struct{ n *yaml.Node }

// get follows mapping keys; it returns a zero node when any is missing.
func (x node) get(keys ...string) node {
	n := x.n
	for _, k := range keys {
		if n == nil {
			return node{}
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		if n.Kind != yaml.MappingNode {
			return node{}
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return node{n}
}

func (x node) ok() bool { return x.n != nil }

func (x node) str() string {
	if x.n == nil {
		return ""
	}
	return x.n.Value
}

// strs returns a scalar as a one-element list, a sequence of scalars as a list.
func (x node) strs() []string {
	switch {
	case x.n == nil:
		return nil
	case x.n.Kind == yaml.ScalarNode:
		return []string{x.n.Value}
	case x.n.Kind == yaml.SequenceNode:
		var out []string
		for _, c := range x.n.Content {
			out = append(out, c.Value)
		}
		return out
	}
	return nil
}

func (x node) items() []node {
	if x.n == nil || x.n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]node, len(x.n.Content))
	for i, c := range x.n.Content {
		out[i] = node{c}
	}
	return out
}

// keys lists a mapping's keys in file order.
func (x node) keys() []string {
	if x.n == nil || x.n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i < len(x.n.Content); i += 2 {
		out = append(out, x.n.Content[i].Value)
	}
	return out
}

// walk visits every node under x with the mapping key it sits under ("" for sequence items and the root).
func walk(n *yaml.Node, key string, visit func(key string, n *yaml.Node)) {
	visit(key, n)
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			visit("", n.Content[i])
			walk(n.Content[i+1], n.Content[i].Value, visit)
		}
		return
	}
	for _, c := range n.Content {
		walk(c, "", visit)
	}
}

func mustTemplate(t *testing.T) node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return node{&doc}
}

// functions returns the logical ids of the template's Lambda functions.
func functions(tpl node) []string {
	var ids []string
	for _, id := range tpl.get("Resources").keys() {
		if tpl.get("Resources", id, "Type").str() == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestTemplateFunctionsBuildWithMakefile(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	goarch := ""
	sc := bufio.NewScanner(strings.NewReader(string(mk)))
	for sc.Scan() {
		line := sc.Text()
		if m := regexp.MustCompile(`^([A-Za-z0-9_-]+):`).FindStringSubmatch(line); m != nil {
			targets[m[1]] = true
		}
		if m := regexp.MustCompile(`^GOARCH\s*\??=\s*(\S+)`).FindStringSubmatch(line); m != nil {
			goarch = m[1]
		}
	}

	ids := functions(tpl)
	for _, want := range []string{"IngestFunction", "ReactFunction", "LinkFunction", "RemindFunction", "SweepFunction"} {
		if !slices.Contains(ids, want) {
			t.Errorf("template has no function %s (has %v)", want, ids)
		}
	}
	for _, id := range ids {
		if got := tpl.get("Resources", id, "Metadata", "BuildMethod").str(); got != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %q, want makefile (go1.x builds the wrong binary with CodeUri .)", id, got)
		}
		if !targets["build-"+id] {
			t.Errorf("%s: the Makefile has no target build-%s, which sam build runs", id, id)
		}
	}

	g := tpl.get("Globals", "Function")
	for key, want := range map[string]string{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "."} {
		if got := g.get(key).str(); got != want {
			t.Errorf("Globals.Function.%s = %q, want %q", key, got, want)
		}
	}
	// SAM does not pass the architecture to make: the Makefile's default must match the template.
	if got := g.get("Architectures").strs(); !slices.Equal(got, []string{"arm64"}) || goarch != "arm64" {
		t.Errorf("Globals.Function.Architectures = %v and Makefile GOARCH default = %q; both must be arm64", got, goarch)
	}
}

func TestTemplateStreamSource(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	fn := tpl.get("Resources", "ReactFunction", "Properties")
	var src node
	for _, name := range fn.get("Events").keys() {
		if fn.get("Events", name, "Type").str() == "DynamoDB" {
			if src.ok() {
				t.Fatalf("ReactFunction has more than one DynamoDB event source")
			}
			src = fn.get("Events", name, "Properties")
		}
	}
	if !src.ok() {
		t.Fatal("ReactFunction has no DynamoDB stream event source")
	}

	if got := src.get("Stream").str(); got != "Table.StreamArn" {
		t.Errorf("Stream = %q, want !GetAtt Table.StreamArn", got)
	}
	if got := src.get("StartingPosition").str(); got != "TRIM_HORIZON" {
		t.Errorf("StartingPosition = %q, want TRIM_HORIZON (LATEST drops what arrived before the mapping)", got)
	}
	// The defaults are infinite (-1): one poisoned record would block its shard for 24 hours.
	intIn := func(key string, lo, hi int) {
		v, err := strconv.Atoi(src.get(key).str())
		if err != nil || v < lo || v > hi {
			t.Errorf("%s = %q, want an integer in [%d, %d]", key, src.get(key).str(), lo, hi)
		}
	}
	intIn("MaximumRetryAttempts", 0, 10)
	intIn("MaximumRecordAgeInSeconds", 60, 6*3600)
	intIn("BatchSize", 1, 100)
	if got := src.get("BisectBatchOnFunctionError").str(); got != "true" {
		t.Errorf("BisectBatchOnFunctionError = %q, want true", got)
	}
	if got := src.get("FunctionResponseTypes").strs(); !slices.Contains(got, "ReportBatchItemFailures") {
		t.Errorf("FunctionResponseTypes = %v, want ReportBatchItemFailures", got)
	}
	if got := src.get("DestinationConfig", "OnFailure", "Type").str(); got != "SQS" {
		t.Errorf("DestinationConfig.OnFailure.Type = %q, want SQS", got)
	}
	dest := src.get("DestinationConfig", "OnFailure", "Destination").str()
	queue, _, _ := strings.Cut(dest, ".")
	if tpl.get("Resources", queue, "Type").str() != "AWS::SQS::Queue" {
		t.Errorf("DestinationConfig.OnFailure.Destination = %q, want the Arn of a queue in this template", dest)
	}

	// Only inserts of accepted events: the function's own writes come back on the stream.
	filters := src.get("FilterCriteria", "Filters").items()
	if len(filters) != 1 {
		t.Fatalf("FilterCriteria.Filters has %d filters, want 1", len(filters))
	}
	var pattern struct {
		EventName []string `json:"eventName"`
		Dynamodb  struct {
			NewImage struct {
				Type struct {
					S []string `json:"S"`
				} `json:"type"`
			} `json:"NewImage"`
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal([]byte(filters[0].get("Pattern").str()), &pattern); err != nil {
		t.Fatalf("FilterCriteria pattern: %v", err)
	}
	if !slices.Equal(pattern.EventName, []string{"INSERT"}) || !slices.Equal(pattern.Dynamodb.NewImage.Type.S, []string{"event"}) {
		t.Errorf("FilterCriteria pattern = %s, want eventName [INSERT] and NewImage.type.S [event]", filters[0].get("Pattern").str())
	}

	// A claim must outlive the invocation that holds it.
	timeout, err := strconv.Atoi(fn.get("Timeout").str())
	if err != nil {
		t.Fatalf("ReactFunction Timeout = %q: %v", fn.get("Timeout").str(), err)
	}
	lease, err := time.ParseDuration(fn.get("Environment", "Variables", "CLAIM_LEASE").str())
	if err != nil {
		t.Fatalf("ReactFunction CLAIM_LEASE: %v", err)
	}
	if lease <= time.Duration(timeout)*time.Second {
		t.Errorf("CLAIM_LEASE %v must exceed the function Timeout %ds", lease, timeout)
	}
}

func TestTemplateTable(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	tbl := tpl.get("Resources", "Table")
	if got := tbl.get("Type").str(); got != "AWS::DynamoDB::Table" {
		t.Fatalf("Resources.Table.Type = %q", got)
	}
	p := tbl.get("Properties")
	for _, c := range []struct{ path, want string }{
		{"StreamSpecification.StreamViewType", "NEW_AND_OLD_IMAGES"},
		{"PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", "true"},
		{"TimeToLiveSpecification.AttributeName", "expiresAt"},
		{"TimeToLiveSpecification.Enabled", "true"},
		{"SSESpecification.SSEEnabled", "true"},
		{"BillingMode", "PAY_PER_REQUEST"},
	} {
		if got := p.get(strings.Split(c.path, ".")...).str(); got != c.want {
			t.Errorf("Table %s = %q, want %q", c.path, got, c.want)
		}
	}
	if got := tbl.get("DeletionPolicy").str(); got != "Retain" {
		t.Errorf("Table DeletionPolicy = %q, want Retain: deleting the stack must not delete the history", got)
	}
	// The same indexes as dynamo.CreateTable, which TestCreateTable pins on DynamoDB Local.
	var gsis []string
	for _, g := range p.get("GlobalSecondaryIndexes").items() {
		desc := g.get("IndexName").str()
		for _, k := range g.get("KeySchema").items() {
			desc += " " + k.get("AttributeName").str() + ":" + k.get("KeyType").str()
		}
		gsis = append(gsis, desc+" "+g.get("Projection", "ProjectionType").str())
	}
	slices.Sort(gsis)
	if want := []string{"gsi1 gsi1pk:HASH gsi1sk:RANGE ALL", "gsi2 gsi2pk:HASH gsi2sk:RANGE ALL"}; !slices.Equal(gsis, want) {
		t.Errorf("Table GlobalSecondaryIndexes %q, want %q", gsis, want)
	}
	defined := map[string]string{}
	for _, a := range p.get("AttributeDefinitions").items() {
		defined[a.get("AttributeName").str()] = a.get("AttributeType").str()
	}
	for _, name := range []string{"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"} {
		if defined[name] != "S" {
			t.Errorf("Table AttributeDefinitions: %s is %q, want S", name, defined[name])
		}
	}
}

func TestTemplateHoldsNoSecrets(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	// Both put plaintext into the function configuration or the stack's parameters.
	banned := []string{"resolve:ssm", "resolve:secretsmanager"}
	walk(tpl.n, "", func(key string, n *yaml.Node) {
		if key == "" && n.Kind == yaml.ScalarNode && n.Value == "NoEcho" {
			t.Errorf("line %d: NoEcho parameter; pass the secret's SSM name instead", n.Line)
		}
		if n.Kind == yaml.ScalarNode {
			for _, b := range banned {
				if strings.Contains(strings.ToLower(n.Value), b) {
					t.Errorf("line %d: %q resolves a secret into the template; read it at runtime instead", n.Line, b)
				}
			}
		}
	})
}

// statements returns a function's inline policy statements, and the lines of policies that are not inline (SAM
// policy templates, managed policy names), which cannot be checked here.
func statements(tpl node, fn string) (stmts []node, notInline []int) {
	for _, p := range tpl.get("Resources", fn, "Properties", "Policies").items() {
		if !p.get("Statement").ok() {
			notInline = append(notInline, p.n.Line)
			continue
		}
		stmts = append(stmts, p.get("Statement").items()...)
	}
	return stmts, notInline
}

// grants reports whether an IAM action pattern (which may hold * and ?) covers action.
func grants(pattern, action string) bool {
	ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return ok
}

func TestTemplateLeastPrivilege(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)

	for _, fn := range functions(tpl) {
		stmts, notInline := statements(tpl, fn)
		for _, line := range notInline {
			t.Errorf("%s: policy at line %d is not an inline Statement (policy templates like DynamoDBCrudPolicy grant too much)", fn, line)
		}
		for _, s := range stmts {
			if slices.Contains(s.get("Resource").strs(), "*") {
				t.Errorf("%s: statement at line %d grants on Resource *", fn, s.n.Line)
			}
			if s.get("Effect").str() != "Allow" {
				continue
			}
			for _, a := range s.get("Action").strs() {
				if strings.HasSuffix(a, ":*") || a == "*" {
					t.Errorf("%s: statement at line %d grants %s", fn, s.n.Line, a)
				}
			}
		}
	}

	// Ingest only appends: a forged or buggy webhook must not be able to erase or bulk-rewrite history. The one
	// batch write it has is the metrics hook's, held to the METRICS# partitions by their leading key.
	var ssm, keep, noOverwrite bool
	ingest, _ := statements(tpl, "IngestFunction")
	for _, s := range ingest {
		for _, a := range s.get("Action").strs() {
			if a == "dynamodb:BatchWriteItem" && slices.Equal(s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs(), []string{"METRICS#*"}) {
				continue
			}
			for _, banned := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteTable"} {
				if grants(a, banned) {
					t.Errorf("IngestFunction: action %s at line %d allows %s", a, s.n.Line, banned)
				}
			}
			if grants(a, "ssm:GetParameter") {
				ssm = true
				res := strings.Join(s.get("Resource").strs(), " ")
				if !strings.Contains(res, "parameter${SecretsPrefix}") {
					t.Errorf("IngestFunction: ssm:GetParameter on %q, want the ARN ...:parameter${SecretsPrefix}* (the prefix starts with /)", res)
				}
			}
			// A handshake secret (Asana's X-Hook-Secret) is kept as a new parameter: only in the handshake folder
			// under the prefix (where validation holds every such secret_param), never over an existing one, and
			// nothing that deletes, relabels or changes the parameters' policies.
			if grants(a, "ssm:PutParameter") && s.get("Effect").str() == "Allow" {
				keep = true
				want := ":parameter${SecretsPrefix}" + glassbox.HandshakeSecretFolder + "/*"
				if res := strings.Join(s.get("Resource").strs(), " "); !strings.HasSuffix(res, want) || s.get("Condition").ok() {
					t.Errorf("IngestFunction: ssm:PutParameter on %q, want the ARN ...%s only", res, want)
				}
			}
			if grants(a, "ssm:PutParameter") && s.get("Effect").str() == "Deny" &&
				slices.Equal(s.get("Condition", "StringEquals", "ssm:Overwrite").strs(), []string{"true"}) {
				res := s.get("Resource").strs()
				if len(res) == 1 && (strings.HasSuffix(res[0], ":parameter/*") || strings.HasSuffix(res[0], ":parameter${SecretsPrefix}*")) {
					noOverwrite = true
				}
			}
			for _, banned := range []string{"ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:LabelParameterVersion", "ssm:AddTagsToResource"} {
				if grants(a, banned) {
					t.Errorf("IngestFunction: action %s at line %d allows %s", a, s.n.Line, banned)
				}
			}
		}
	}
	if !ssm {
		t.Error("IngestFunction cannot read its webhook secrets (no ssm:GetParameter)")
	}
	if !keep {
		t.Error("IngestFunction cannot keep a handshake secret (no ssm:PutParameter)")
	}
	if !noOverwrite {
		t.Error("IngestFunction: no Deny of ssm:PutParameter with StringEquals ssm:Overwrite \"true\" over the prefix's parameters; an internet-facing function could replace every secret")
	}

	for _, fn := range mailSenders {
		var ses bool
		stmts, _ := statements(tpl, fn)
		for _, s := range stmts {
			for _, a := range s.get("Action").strs() {
				if grants(a, "ses:SendRawEmail") {
					ses = true
					// The identity, and the configuration set every email goes out with (SES authorizes both).
					res := s.get("Resource").strs()
					if len(res) != 2 || !strings.HasSuffix(res[0], ":configuration-set/${MailConfigurationSet}") ||
						!strings.HasSuffix(res[1], ":identity/${SenderIdentity}") {
						t.Errorf("%s: ses:SendRawEmail on %q, want the MailConfigurationSet and SenderIdentity ARNs only", fn, res)
					}
				}
			}
		}
		if !ses {
			t.Errorf("%s cannot send email (no ses:SendRawEmail)", fn)
		}
	}

	// The link function faces the internet without a webhook signature of its own: it may read the link key,
	// documents and the configuration, append events and unsubscriptions, and send the manager's notice of an
	// unsubscription (its claim and mark), nothing more: no Scan, no batch writes, no other secret.
	link, _ := statements(tpl, "LinkFunction")
	for _, s := range link {
		for _, a := range s.get("Action").strs() {
			if !slices.Contains([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
				"dynamodb:DeleteItem", "ssm:GetParameter", "ses:SendRawEmail"}, a) {
				t.Errorf("LinkFunction: action %s at line %d; it needs only GetItem, PutItem, Query, UpdateItem, DeleteItem, the link key and SES", a, s.n.Line)
			}
			// Query reads the configuration and delivery notes only; UpdateItem and DeleteItem touch messages only.
			switch a {
			case "dynamodb:Query":
				// The client's dashboard (issue 10) also queries a project's gsi1 partition (PROJECT#), which holds
				// its figures and seal state in the snapshot: nothing else, and on the index only.
				exact := s.get("Condition", "ForAllValues:StringEquals", "dynamodb:LeadingKeys").strs()
				like := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs()
				if !slices.Equal(exact, []string{"CONFIG", "DELIVERY"}) && !slices.Equal(like, []string{"PROJECT#*"}) {
					t.Errorf("LinkFunction: Query at line %d on leading keys %q %q, want CONFIG and DELIVERY, or PROJECT#*, only", s.n.Line, exact, like)
				}
				if slices.Equal(like, []string{"PROJECT#*"}) && !slices.Equal(s.get("Resource").strs(), []string{"${Table.Arn}/index/gsi1"}) {
					t.Errorf("LinkFunction: the dashboard's Query at line %d on %q, want the gsi1 index only", s.n.Line, s.get("Resource").strs())
				}
			case "dynamodb:UpdateItem", "dynamodb:DeleteItem":
				if keys := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs(); !slices.Equal(keys, []string{"MESSAGE#*"}) {
					t.Errorf("LinkFunction: %s at line %d on leading keys %q, want MESSAGE#* only", a, s.n.Line, keys)
				}
			}
			if a == "ssm:GetParameter" {
				if res := strings.Join(s.get("Resource").strs(), " "); !strings.HasSuffix(res, "parameter${SecretsPrefix}links/key") {
					t.Errorf("LinkFunction: ssm:GetParameter on %q, want the link key parameter only", res)
				}
			}
		}
	}
}

// TestTemplatePullLeastPrivilege: PullFunction talks to Yandex with the agency's tokens; of the table it may
// only query (the configuration) and batch-write figures, held to the METRICS# partitions by their leading key,
// and of the secrets read only the pull/ folder.
func TestTemplatePullLeastPrivilege(t *testing.T) {
	t.Parallel()
	stmts, _ := statements(mustTemplate(t), "PullFunction")
	writes := false
	for _, s := range stmts {
		for _, a := range s.get("Action").strs() {
			switch a {
			case "dynamodb:Query":
			case "dynamodb:BatchWriteItem":
				writes = true
				if keys := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs(); !slices.Equal(keys, []string{"METRICS#*"}) {
					t.Errorf("PullFunction: BatchWriteItem at line %d on leading keys %q, want METRICS#* only", s.n.Line, keys)
				}
			case "ssm:GetParameter":
				if res := strings.Join(s.get("Resource").strs(), " "); !strings.HasSuffix(res, "parameter${SecretsPrefix}pull/*") {
					t.Errorf("PullFunction: ssm:GetParameter on %q, want the pull/ folder only", res)
				}
			default:
				t.Errorf("PullFunction: action %s at line %d; it needs only Query, BatchWriteItem and its tokens", a, s.n.Line)
			}
		}
	}
	if !writes {
		t.Error("PullFunction cannot store figures (no dynamodb:BatchWriteItem)")
	}
}

// TestTemplateDigestLeastPrivilege: DigestFunction reads a project's period, seals its timeline, claims, marks
// and releases its messages and records the report delivered; it may not scan, batch-write or delete the table,
// and of the secrets it reads only the link key and the Telegram bot token.
func TestTemplateDigestLeastPrivilege(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	stmts, _ := statements(tpl, "DigestFunction")
	if len(stmts) == 0 {
		t.Fatal("DigestFunction has no policy statements")
	}
	for _, s := range stmts {
		for _, a := range s.get("Action").strs() {
			switch a {
			case "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
				"dynamodb:TransactWriteItems", "ses:SendRawEmail":
			case "ssm:GetParameter":
				for _, res := range s.get("Resource").strs() {
					if !strings.HasSuffix(res, "parameter${SecretsPrefix}links/key") && !strings.HasSuffix(res, "parameter${SecretsPrefix}telegram/*") {
						t.Errorf("DigestFunction: ssm:GetParameter on %q, want the link key and the telegram/ folder only", res)
					}
				}
			default:
				t.Errorf("DigestFunction: action %s at line %d; a report needs reads, the timeline's seal, message claims and marks, its delivery record, the link key, the bot token and SES", a, s.n.Line)
			}
		}
	}

	// Each report seals its project's timeline first (docs/timeline.md), with the same Sealer as SealFunction:
	// every table grant SealFunction has (the seals' Query and conditional put, the entries' Query on gsi1) is
	// one DigestFunction has too, on the same resource and at least the same leading keys; the switch above
	// keeps it from gaining anything else. Its seals are timestamped by the same authority, when set.
	seal, _ := statements(tpl, "SealFunction")
	if len(seal) == 0 {
		t.Fatal("SealFunction has no policy statements")
	}
	covers := func(s node, action, resource string, keys []string) bool {
		if !slices.ContainsFunc(s.get("Action").strs(), func(a string) bool { return grants(a, action) }) ||
			!slices.Contains(s.get("Resource").strs(), resource) {
			return false
		}
		if !s.get("Condition").ok() {
			return true
		}
		have := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs()
		return len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(have, k) })
	}
	for _, ss := range seal {
		keys := ss.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs()
		for _, a := range ss.get("Action").strs() {
			for _, res := range ss.get("Resource").strs() {
				if !slices.ContainsFunc(stmts, func(s node) bool { return covers(s, a, res, keys) }) {
					t.Errorf("DigestFunction cannot seal: no %s on %s (leading keys %q), which SealFunction has at line %d", a, res, keys, ss.n.Line)
				}
			}
		}
	}
	env := func(fn string) node {
		return tpl.get("Resources", fn, "Properties", "Environment", "Variables", "TSA_URL")
	}
	if d, s := env("DigestFunction"), env("SealFunction"); !d.ok() || d.n.Tag != "!Ref" || d.str() != "TimestampAuthorityURL" || s.str() != d.str() {
		t.Errorf("TSA_URL: DigestFunction %q, SealFunction %q; want both !Ref TimestampAuthorityURL", d.str(), s.str())
	}
}

// TestTemplateFlushSecrets: FlushFunction sends held notices (emails with signed links, Telegram copies) and
// overdue reports; it reads no tracker or CRM back, so of the secrets it needs only the link key and the bot
// token, which validation holds in the telegram/ folder.
func TestTemplateFlushSecrets(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	stmts, _ := statements(tpl, "FlushFunction")
	var got []string
	for _, s := range stmts {
		for _, a := range s.get("Action").strs() {
			if strings.HasPrefix(strings.ToLower(a), "ssm:") {
				if a != "ssm:GetParameter" {
					t.Errorf("FlushFunction: statement at line %d grants %s; it only reads parameters", s.n.Line, a)
				}
				for _, r := range s.get("Resource").strs() {
					_, param, _ := strings.Cut(r, ":parameter")
					got = append(got, param)
				}
			}
		}
	}
	slices.Sort(got)
	want := []string{"${SecretsPrefix}links/key", "${SecretsPrefix}" + glassbox.TelegramSecretFolder + "/*"}
	if !slices.Equal(got, want) {
		t.Errorf("FlushFunction reads SSM parameters %q, want only %q", got, want)
	}
	if v := tpl.get("Resources", "FlushFunction", "Properties", "Environment", "Variables", "LINK_KEY_PARAM").str(); v != "${SecretsPrefix}links/key" {
		t.Errorf("FlushFunction LINK_KEY_PARAM = %q, want ${SecretsPrefix}links/key, the parameter it may read", v)
	}
}

// TestTemplateSweep: the sweep runs on a schedule of a few minutes, leaves young events to the stream, shares
// React's claim lease (both send the same messages), and that lease outlives either function, so a claim is
// never taken over from a worker that may still be sending.
func TestTemplateSweep(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	sweep := tpl.get("Resources", "SweepFunction", "Properties")
	var scheduled bool
	for _, ev := range sweep.get("Events").n.Content {
		if ev.Kind != yaml.MappingNode {
			continue
		}
		e := node{ev}
		if e.get("Type").str() == "ScheduleV2" {
			scheduled = true
			expr := e.get("Properties", "ScheduleExpression").str()
			m := regexp.MustCompile(`^rate\((\d+) minutes?\)$`).FindStringSubmatch(expr)
			if m == nil {
				t.Errorf("SweepFunction schedule %q, want rate(N minutes)", expr)
			} else if n, _ := strconv.Atoi(m[1]); n < 1 || n > 15 {
				t.Errorf("SweepFunction runs every %d minutes, want every few (1..15)", n)
			}
		}
	}
	if !scheduled {
		t.Error("SweepFunction has no ScheduleV2 event")
	}
	env := func(fn, name string) time.Duration {
		v := tpl.get("Resources", fn, "Properties", "Environment", "Variables", name).str()
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Errorf("%s %s = %q: %v", fn, name, v, err)
		}
		return d
	}
	timeout := func(fn string) time.Duration {
		n, _ := strconv.Atoi(tpl.get("Resources", fn, "Properties", "Timeout").str())
		return time.Duration(n) * time.Second
	}
	lease := env("ReactFunction", "CLAIM_LEASE")
	if got := env("SweepFunction", "CLAIM_LEASE"); got != lease {
		t.Errorf("SweepFunction CLAIM_LEASE %v, ReactFunction's %v: they claim the same messages", got, lease)
	}
	for _, fn := range []string{"ReactFunction", "SweepFunction"} {
		if timeout(fn) == 0 || lease <= timeout(fn) {
			t.Errorf("CLAIM_LEASE %v does not exceed %s's Timeout %v", lease, fn, timeout(fn))
		}
	}
	if got := tpl.get("Resources", "SweepFailuresMetricFilter", "Properties", "FilterPattern").str(); !strings.Contains(got, `"`+react.SweepFailureLog+`"`) {
		t.Errorf("SweepFailuresMetricFilter pattern %q does not match the message the sweep logs, %q", got, react.SweepFailureLog)
	}
	if got := tpl.get("Resources", "SweepFailuresMetricFilter", "Properties", "LogGroupName").str(); got != "SweepFunctionLogGroup" {
		t.Errorf("SweepFailuresMetricFilter reads %q, want SweepFunctionLogGroup", got)
	}
	if grace := env("SweepFunction", "SWEEP_GRACE"); grace < time.Minute {
		t.Errorf("SWEEP_GRACE %v: the sweep would race the stream on fresh events", grace)
	}
	stmts, _ := statements(tpl, "SweepFunction")
	feedback := false
	for _, s := range stmts {
		for _, r := range s.get("Resource").strs() {
			switch {
			case strings.HasSuffix(r, "/index/gsi1"):
				// A project's recent feedback, for the manager's notices a link did not send; nothing else there.
				keys := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs()
				if !slices.Equal(keys, []string{"PROJECT#*"}) {
					t.Errorf("SweepFunction queries gsi1 on leading keys %q, want PROJECT#* only", keys)
				}
				feedback = true
			case strings.Contains(r, "/index/") && !strings.HasSuffix(r, "/index/gsi2"):
				t.Errorf("SweepFunction queries %s; it needs gsi2 (unprocessed events, open invoices) and gsi1 (feedback) only", r)
			}
		}
	}
	if !feedback {
		t.Error("SweepFunction cannot query a project's feedback (gsi1): the manager's notices a link did not send stay unsent")
	}
}

func TestTemplateLogGroups(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	for _, fn := range functions(tpl) {
		lg := tpl.get("Resources", fn, "Properties", "LoggingConfig", "LogGroup").str()
		if lg == "" {
			t.Errorf("%s: no LoggingConfig.LogGroup; Lambda would create one that keeps logs forever", fn)
			continue
		}
		if got := tpl.get("Resources", lg, "Type").str(); got != "AWS::Logs::LogGroup" {
			t.Errorf("%s: LoggingConfig.LogGroup %q is not a log group in this template", fn, lg)
		}
		if !tpl.get("Resources", lg, "Properties", "RetentionInDays").ok() {
			t.Errorf("%s: log group %s has no RetentionInDays", fn, lg)
		}
	}
}

func TestSamconfigOverridesKnownParameters(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	b, err := os.ReadFile(filepath.Join(root, "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^parameter_overrides\s*=\s*"([^"]*)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("samconfig.toml has no parameter_overrides")
	}
	for _, kv := range strings.Fields(string(m[1])) {
		name, _, _ := strings.Cut(kv, "=")
		if !tpl.get("Parameters", name).ok() {
			t.Errorf("samconfig.toml overrides %s, which template.yaml does not declare", name)
		}
	}
	for _, want := range []string{`capabilities = "CAPABILITY_IAM"`, `confirm_changeset = true`, `stack_name = "glassbox"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("samconfig.toml lacks %s", want)
		}
	}
}

// alarmedQueue reports whether some CloudWatch alarm in the template watches the visible messages of queue.
func alarmedQueue(tpl node, queue string) bool {
	for _, id := range tpl.get("Resources").keys() {
		a := tpl.get("Resources", id)
		if a.get("Type").str() != "AWS::CloudWatch::Alarm" || a.get("Properties", "Namespace").str() != "AWS/SQS" ||
			a.get("Properties", "MetricName").str() != "ApproximateNumberOfMessagesVisible" {
			continue
		}
		for _, d := range a.get("Properties", "Dimensions").items() {
			if d.get("Name").str() == "QueueName" && d.get("Value").str() == queue+".QueueName" {
				return true
			}
		}
	}
	return false
}

// TestTemplateAsyncFailuresKept: SNS invokes a function asynchronously; after Lambda's two retries a failed event
// is dropped unless the function has a dead-letter queue or an on-failure destination. BounceFunction's events
// are SES bounces and complaints: dropping one loses the manager's report. The queue is alarmed (as React's is),
// and the function gets no SQS permission of its own beyond what SAM adds for that one queue.
func TestTemplateAsyncFailuresKept(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	var async []string
	for _, fn := range functions(tpl) {
		events := tpl.get("Resources", fn, "Properties", "Events")
		for _, name := range events.keys() {
			if slices.Contains([]string{"SNS", "S3", "SES"}, events.get(name, "Type").str()) && !slices.Contains(async, fn) {
				async = append(async, fn)
			}
		}
	}
	if !slices.Contains(async, "BounceFunction") {
		t.Fatalf("BounceFunction is not among the SNS-triggered functions %v", async)
	}
	for _, fn := range async {
		p := tpl.get("Resources", fn, "Properties")
		var target string
		switch {
		case p.get("DeadLetterQueue").ok():
			if got := p.get("DeadLetterQueue", "Type").str(); got != "SQS" {
				t.Errorf("%s: DeadLetterQueue.Type = %q, want SQS", fn, got)
			}
			target = p.get("DeadLetterQueue", "TargetArn").str()
		case p.get("EventInvokeConfig", "DestinationConfig", "OnFailure").ok():
			if got := p.get("EventInvokeConfig", "DestinationConfig", "OnFailure", "Type").str(); got != "SQS" {
				t.Errorf("%s: EventInvokeConfig OnFailure Type = %q, want SQS", fn, got)
			}
			target = p.get("EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination").str()
		default:
			t.Errorf("%s is invoked asynchronously but has no DeadLetterQueue or EventInvokeConfig OnFailure: a failed event is dropped after two retries", fn)
			continue
		}
		queue, attr, _ := strings.Cut(target, ".")
		if attr != "Arn" || tpl.get("Resources", queue, "Type").str() != "AWS::SQS::Queue" {
			t.Errorf("%s: failures go to %q, want !GetAtt <a queue in this template>.Arn", fn, target)
			continue
		}
		if !alarmedQueue(tpl, queue) {
			t.Errorf("%s: no alarm on %s's ApproximateNumberOfMessagesVisible; nobody would look at it", fn, queue)
		}
		stmts, _ := statements(tpl, fn)
		for _, s := range stmts {
			for _, a := range s.get("Action").strs() {
				if strings.HasPrefix(strings.ToLower(a), "sqs:") {
					t.Errorf("%s: statement at line %d grants %s; SAM grants sqs:SendMessage on the failure queue only", fn, s.n.Line, a)
				}
			}
		}
	}
	// BounceFunction retries a notification of its own configuration set whose message is not found yet: it must
	// know the set's name.
	if got := tpl.get("Resources", "BounceFunction", "Properties", "Environment", "Variables", "SES_CONFIGURATION_SET").str(); got != "MailConfigurationSet" {
		t.Errorf("BounceFunction SES_CONFIGURATION_SET = %q, want !Ref MailConfigurationSet", got)
	}
	// React's stream failures are alarmed the same way.
	if !alarmedQueue(tpl, "ReactDeadLetterQueue") {
		t.Error("no alarm on ReactDeadLetterQueue")
	}
}

// SealFunction seals and keeps the dashboards' snapshots: it reads the configuration, the seals, the figures
// and the projects' entries (gsi1), reads and writes items of the SEALS# partitions (seals and snapshots), and
// nothing else: no secret, no email, no other item written.
func TestTemplateSealLeastPrivilege(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	stmts, _ := statements(tpl, "SealFunction")
	if len(stmts) == 0 {
		t.Fatal("SealFunction has no policy statements")
	}
	for _, s := range stmts {
		keys := s.get("Condition", "ForAllValues:StringLike", "dynamodb:LeadingKeys").strs()
		for _, a := range s.get("Action").strs() {
			for _, res := range s.get("Resource").strs() {
				onIndex := res == "${Table.Arn}/index/gsi1"
				var ok bool
				switch a {
				case "dynamodb:Query":
					ok = onIndex || (len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool {
						return !slices.Contains([]string{"CONFIG", "SEALS#*", "METRICS#*"}, k)
					}))
				case "dynamodb:GetItem", "dynamodb:PutItem":
					ok = !onIndex && slices.Equal(keys, []string{"SEALS#*"})
				}
				if !ok {
					t.Errorf("SealFunction: %s on %s (leading keys %q) at line %d; it needs Query of CONFIG, SEALS#, METRICS# and gsi1, and GetItem and PutItem of SEALS# only", a, res, keys, s.n.Line)
				}
			}
		}
	}
}
