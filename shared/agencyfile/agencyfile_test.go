package agencyfile_test

import (
	"os"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestDemoAgencyFileIsValid(t *testing.T) {
	cfg, err := agencyfile.Load("../../cmd/glassbox/demo/agency.yaml", providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	b, ok := cfg.Binding("trello", "demo-board")
	if !ok {
		t.Fatal("demo binding trello/demo-board missing")
	}
	if got := b.StatusOf("", "Done"); got != glassbox.StatusDone {
		t.Fatalf("Done list maps to %q", got)
	}
}

func TestDocsExamplesAreValid(t *testing.T) {
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	// Every ```yaml block of the schema document is a whole agency file; the first is the complete example.
	blocks := strings.Split(string(data), "```yaml\n")[1:]
	if len(blocks) < 2 {
		t.Fatalf("docs/config.md has %d yaml blocks, want the complete example and the billing one", len(blocks))
	}
	for i, b := range blocks {
		example, _, _ := strings.Cut(b, "```")
		if _, err := agencyfile.Parse([]byte(example), providers.Catalog()); err != nil {
			t.Errorf("docs/config.md yaml block %d does not load: %v", i+1, err)
		}
	}
}

func TestErrorsNameLineAndField(t *testing.T) {
	const file = `agency:
  name: Studio
  sender: not-an-address
  locale: ru
  time_zone: Europe/Moscow
clients:
  - id: acme
    name: Acme
    contacts:
      - name: Anna
        email: anna@acme.example
projects:
  - id: site
    client: nobody
    name: Site
    manager:
      name: Maria
      email: maria@studio.example
    locale: de
bindings:
  - id: board
    provider: trello
    project: site
    external_id: b1
    secret_param: /glassbox/trello/board
    status_map:
      finished: [Done]
`
	_, err := agencyfile.Parse([]byte(file), providers.Catalog())
	if !agencyfile.IsValidation(err) {
		t.Fatalf("Parse error = %v, want validation errors", err)
	}
	for _, want := range []string{
		`line 3: agency.sender: "not-an-address" is not an email address`,
		`line 14: projects[0].client: no client has id "nobody"`,
		`line 19: projects[0].locale: must be "ru" or "en", not "de"`,
		`line 27: bindings[0].status_map.finished: unknown status`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

func TestUnknownFieldIsAnError(t *testing.T) {
	_, err := agencyfile.Parse([]byte("agency:\n  name: Studio\n  sendr: x@y.z\n"), providers.Catalog())
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "sendr") {
		t.Fatalf("Parse error = %v, want unknown field sendr at line 3", err)
	}
}

func TestDemoAgencyFileBillsEveryCRM(t *testing.T) {
	data, err := os.ReadFile("../../cmd/glassbox/demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := agencyfile.Parse(data, providers.Catalog())
	if err != nil {
		t.Fatalf("demo agency does not load: %v", err)
	}
	site, ok := cfg.Project("romashka-site")
	if !ok {
		t.Fatal("project romashka-site missing")
	}
	st, i, ok := site.Billing.Stage("programming")
	if !ok || i != 2 {
		t.Fatalf("romashka-site stage programming = %v at %d", ok, i)
	}
	if got, want := st.Amount, glassbox.Minor(15000000); got != want {
		t.Errorf("programming amount = %d, want %d", got, want)
	}
	if got, want := st.Start, "2027-01-18"; got != want {
		t.Errorf("programming start = %q, want %q", got, want)
	}
	pixel, ok := cfg.Seller("pixel")
	if !ok {
		t.Fatal("seller pixel missing")
	}
	if got, want := pixel.Bank.BIC, "044525225"; got != want {
		t.Errorf("pixel bik = %q, want %q", got, want)
	}
	if got, want := pixel.VAT.Rate, glassbox.VATRate("22"); got != want || !pixel.VAT.Included {
		t.Errorf("pixel vat = %+v, want rate %s included", pixel.VAT, want)
	}
	eu, ok := cfg.Seller("pixel-eu")
	if !ok || !eu.VAT.ReverseCharge || eu.Bank.IBAN != "EE382200221020145685" {
		t.Errorf("seller pixel-eu = %+v, want reverse charge and its IBAN", eu)
	}
	if got, want := cfg.Bindings[0].ID, "demo-board"; got != want {
		t.Errorf("first binding = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		provider, binding, deal, project string
		change                           glassbox.DealChange
		wantCloses                       string
		wantPaid                         bool
	}{
		{"amocrm", "demo-amo", "30307415", "romashka-site", glassbox.DealChange{ID: "30307415", StageID: "41893096"}, "layout", false},
		{"amocrm", "demo-amo", "30307415", "romashka-site", glassbox.DealChange{ID: "30307415", StageID: "142", Won: true}, "", true},
		{"bitrix24", "demo-bitrix", "759", "romashka-shop", glassbox.DealChange{ID: "759", StageID: "WON", Won: true}, "catalog", false},
		{"hubspot", "demo-hubspot", "18234567890", "northwind-app", glassbox.DealChange{ID: "18234567890", StageID: "contractsent"}, "discovery", false},
		{"pipedrive", "demo-pipedrive", "1042", "northwind-ads", glassbox.DealChange{ID: "1042", StageID: "4"}, "setup", false},
		{"pipedrive", "demo-pipedrive", "1042", "northwind-ads", glassbox.DealChange{ID: "1042", StageID: "5", Won: true}, "", true},
	} {
		b, ok := cfg.Binding(tt.provider, tt.binding)
		if !ok {
			t.Errorf("binding %s/%s missing", tt.provider, tt.binding)
			continue
		}
		if r, ok := b.DealProject(tt.deal); !ok || r.ProjectID != tt.project {
			t.Errorf("%s: deal %s routes to %q, want %q", tt.binding, tt.deal, r.ProjectID, tt.project)
		}
		if closes, paid := b.StageMeaning(tt.project, tt.change); closes != tt.wantCloses || paid != tt.wantPaid {
			t.Errorf("%s: stage %s means (%q, %v), want (%q, %v)", tt.binding, tt.change.StageID, closes, paid, tt.wantCloses, tt.wantPaid)
		}
	}
}

const billedFile = `agency:
  name: Studio
  sender: Studio <notify@studio.example>
  locale: ru
  time_zone: Europe/Moscow
sellers:
  - id: studio
    name: ООО «Студия»
    inn: "7701234567"
    kpp: "770101001"
    address: Москва
    bank:
      name: Банк
      bik: "04452522"
      corr_account: "30101810400000000225"
      account: "40702810938000012345"
    director:
      name: Петров И. С.
    accountant:
      name: Елена
      email: buh@studio.example
    vat:
      rate: 22
clients:
  - id: acme
    name: Acme
    contacts:
      - name: Anna
        email: anna@acme.example
    buyer:
      name: ООО «Акме»
      address: Москва
projects:
  - id: site
    client: acme
    name: Site
    manager:
      name: Maria
      email: maria@studio.example
    billing:
      seller: studio
      mode: prepay
      currency: RUB
      stages:
        - id: design
          name: Design
          amount: 1000
        - id: v1.0
          name: Build
          amount: 0
bindings:
  - id: crm
    provider: amocrm
    external_id: studio
    secret_param: /glassbox/amocrm/crm
    deals:
      - deal: "1"
        project: site
    stage_map:
      v1.0: []
      launch:
        - "77"
`

func TestBillingErrorsNameLineAndField(t *testing.T) {
	_, err := agencyfile.Parse([]byte(billedFile), providers.Catalog())
	if !agencyfile.IsValidation(err) {
		t.Fatalf("Parse error = %v, want validation errors", err)
	}
	for _, want := range []string{
		`line 14: sellers[0].bank.bik: "04452522" must be 9 digits`,
		`line 50: projects[0].billing.stages[1].amount: must be more than 0`,
		`line 60: bindings[0].stage_map.v1.0: lists no CRM stage`,
		`line 61: bindings[0].stage_map.launch: project "site" has no stage "launch"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

// requisitesFile has requisites that would make invoices without a QR code or with wrong details: a ИНН with a
// wrong control digit, an account that fails its key against the БИК, a bank name too long for the ГОСТ code,
// a contract that cannot be worded «по договору № … от …», and a reverse-charge buyer without a VAT id.
const requisitesFile = `agency:
  name: Studio
  sender: Studio <notify@studio.example>
  locale: ru
  time_zone: Europe/Moscow
sellers:
  - id: studio
    name: ООО «Студия»
    inn: "7701234567"
    kpp: "770101001"
    address: Москва
    bank:
      name: Публичное акционерное общество «Сбербанк России» г. Москва
      bik: "044525225"
      corr_account: "30101810400000000225"
      account: "40702810938000012346"
    director:
      name: Петров И. С.
    accountant:
      name: Елена
      email: buh@studio.example
  - id: eu
    name: Studio OÜ
    vat_id: EE102030405
    address: Tallinn
    bank: {name: Swedbank, iban: EE382200221020145685, swift: HABAEE2X}
    director: {name: Ivan Petrov}
    accountant: {name: Elena, email: acc@studio.example}
    vat: {rate: 25.5, reverse_charge: true}
clients:
  - id: acme
    name: Acme
    contacts: [{name: Anna, email: anna@acme.example}]
    buyer: {name: ООО «Акме», address: Москва}
projects:
  - id: site
    client: acme
    name: Site
    manager: {name: Maria, email: maria@studio.example}
    billing:
      seller: studio
      mode: postpay
      currency: RUB
      contract: Договор на разработку
      stages: [{id: design, name: Design, amount: 1000}]
  - id: app
    client: acme
    name: App
    locale: en
    manager: {name: Maria, email: maria@studio.example}
    billing:
      seller: eu
      mode: postpay
      currency: EUR
      stages: [{id: design, name: Design, amount: 1000}]
`

func TestRequisiteErrorsNameLineAndField(t *testing.T) {
	_, err := agencyfile.Parse([]byte(requisitesFile), providers.Catalog())
	if !agencyfile.IsValidation(err) {
		t.Fatalf("Parse error = %v, want validation errors", err)
	}
	for _, want := range []string{
		`line 9: sellers[0].inn: "7701234567" has a wrong control digit`,
		`line 13: sellers[0].bank.name: is 58 characters: the ГОСТ payment QR code of RUB invoices holds at most 45`,
		`line 16: sellers[0].bank.account: "40702810938000012346" does not match bik "044525225" (control key)`,
		`line 34: clients[0].buyer.vat_id: is required: project "app" is billed by "eu" with reverse charge`,
		`line 44: projects[0].billing.contract: "Договор на разработку" does not read as «Договор № 12 от 01.09.2026»`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "vat.rate") {
		t.Errorf("a rate of 25.5 is refused:\n%v", err)
	}
}

// TestOldContractFieldLoads: agency files written before contract_number and contract_date still load when
// their free-text contract reads as a number and a date.
func TestOldContractFieldLoads(t *testing.T) {
	data, err := os.ReadFile("../../cmd/glassbox/demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), "      contract_number: \"12\"", "      contract: Договор № 12 от 01.09.2026\n#", 1)
	old = strings.Replace(old, "      contract_date: 2026-09-01\n", "", 1)
	cfg, err := agencyfile.Parse([]byte(old), providers.Catalog())
	if err != nil {
		t.Fatalf("old contract field does not load: %v", err)
	}
	p, _ := cfg.Project("romashka-site")
	if ref, ok := p.Billing.ContractRef(); !ok || ref.Number != "12" || ref.Date != "2026-09-01" {
		t.Errorf("contract = %+v, %v; want number 12 of 2026-09-01", ref, ok)
	}
}

// A template that does not parse or names a variable its message kind lacks is refused at apply, with the
// line in the agency file where the mistake is, inside a block of text too.
func TestTemplateErrorsNameTheLineInTheFile(t *testing.T) {
	const file = `agency:
  name: Studio
  sender: notify@studio.example
  locale: ru
  templates:
    ru:
      task_done:
        subject: "Готово: {{title}}"
        body: |
          {{greeting}}, добрый день!

          Готово: «{{titel}}».
    en:
      tasks_done:
        subject: "Done: {{count}} {{plural count \"task\"}}"
clients:
  - id: acme
    name: Acme
    contacts:
      - name: Anna
        email: anna@acme.example
projects:
  - id: site
    client: acme
    name: Site
    manager:
      name: Maria
      email: maria@studio.example
    templates:
      task_blocked:
        telegram: "{{if list}}<b>{{list}}</b>"
`
	_, err := agencyfile.Parse([]byte(file), providers.Catalog())
	if !agencyfile.IsValidation(err) {
		t.Fatalf("Parse error = %v, want validation errors", err)
	}
	for _, want := range []string{
		`line 12: agency.templates.ru.task_done.body: unknown variable "titel"`,
		`line 15: agency.templates.en.tasks_done.subject: {{plural}} takes a number and 2 quoted forms`,
		`line 31: projects[0].templates.task_blocked.telegram: {{if}} or {{range}} without {{end}}`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}
