package glassbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Minor is an amount of money in minor units (kopecks, cents) of some currency. Every currency Glassbox bills
// in has two decimals. In the agency file it is written as a decimal: 150000, "150 000.00", 1499.9.
type Minor int64

// UnmarshalText reads a decimal amount with at most two decimals; spaces, no-break spaces and underscores
// group digits.
func (m *Minor) UnmarshalText(b []byte) error {
	v, err := ParseMinor(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// UnmarshalJSON reads what encoding/json writes for a Minor, a number of minor units, and also a decimal
// string ("1499.90"), as the agency file has it.
func (m *Minor) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return fmt.Errorf("minor units: %w", err)
		}
		return m.UnmarshalText([]byte(s))
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("minor units: %s is not a whole number", b)
	}
	*m = Minor(v)
	return nil
}

// ParseMinor reads a decimal amount ("150000", "1 499.90", "0.5") into minor units.
func ParseMinor(s string) (Minor, error) {
	clean := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "_", "", ",", ".").Replace(strings.TrimSpace(s))
	neg := strings.HasPrefix(clean, "-")
	clean = strings.TrimPrefix(clean, "-")
	whole, frac, _ := strings.Cut(clean, ".")
	if !allDigits(whole) || len(frac) > 2 || (frac != "" && !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e15 {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	v := Minor(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Currencies Glassbox can bill in (ISO 4217, all with two decimals).
var Currencies = []string{"RUB", "EUR", "USD", "GBP", "CHF", "KZT", "BYN", "AMD", "GEL", "AED"}

// VATRate is a VAT rate in percent with at most two decimals ("22", "10", "25.5"), or VATNone for "Без налога
// (НДС)" (no VAT charged: a simplified-system seller, or a supply outside VAT).
type VATRate string

// VATNone means no VAT is charged at all, which documents state in words.
const VATNone VATRate = "none"

// BasisPoints returns the rate in hundredths of a percent ("25.5" is 2550), so VAT is computed in integers;
// ok is false for VATNone, an empty rate, or anything that is not a percent with at most two decimals.
func (r VATRate) BasisPoints() (bp int64, ok bool) {
	if r == VATNone || r == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(string(r), ".")
	if !allDigits(whole) || len(whole) > 15 || len(frac) > 2 || (frac != "" && !allDigits(frac)) ||
		strings.HasSuffix(string(r), ".") {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, true
}

// Exempt says whether documents under this VAT mode charge no VAT for a reason the seller must state
// (Exemption): no rate, or a rate of zero, and no reverse charge (which has its own note).
func (v VAT) Exempt() bool {
	bp, ok := v.Rate.BasisPoints()
	return !v.ReverseCharge && (!ok || bp == 0)
}

// VAT is how a seller charges VAT.
type VAT struct {
	// Rate is the VAT rate; empty means VATNone.
	Rate VATRate `json:"rate" yaml:"rate" dynamodbav:"rate"`
	// Included says stage amounts already include VAT (Russian custom); otherwise VAT is added on top.
	Included bool `json:"included,omitempty" yaml:"included,omitempty" dynamodbav:"included,omitempty"`
	// ReverseCharge prints the reverse-charge note on English invoices and charges no VAT: the buyer, a
	// business in another EU country, accounts for it.
	ReverseCharge bool `json:"reverse_charge,omitempty" yaml:"reverse_charge,omitempty" dynamodbav:"reverseCharge,omitempty"`
	// Exemption says why no VAT is charged ("VAT exempt under Article 132(1)(g) of Directive 2006/112/EC",
	// "Small business, not registered for VAT"); English documents print it when they charge no VAT and are
	// not reverse-charged.
	Exemption string `json:"exemption,omitempty" yaml:"exemption,omitempty" dynamodbav:"exemption,omitempty"`
}

// Bank is where a seller is paid. Russian sellers fill BIC (БИК), CorrAccount and Account; others IBAN and
// SWIFT.
type Bank struct {
	Name        string `json:"name" yaml:"name" dynamodbav:"name"`
	BIC         string `json:"bik,omitempty" yaml:"bik,omitempty" dynamodbav:"bik,omitempty"`
	CorrAccount string `json:"corr_account,omitempty" yaml:"corr_account,omitempty" dynamodbav:"corrAccount,omitempty"`
	Account     string `json:"account,omitempty" yaml:"account,omitempty" dynamodbav:"account,omitempty"`
	IBAN        string `json:"iban,omitempty" yaml:"iban,omitempty" dynamodbav:"iban,omitempty"`
	SWIFT       string `json:"swift,omitempty" yaml:"swift,omitempty" dynamodbav:"swift,omitempty"`
}

// Signer is who signs documents for a party.
type Signer struct {
	Name  string `json:"name" yaml:"name" dynamodbav:"name"`
	Title string `json:"title" yaml:"title" dynamodbav:"title"`
}

// Seller is one of the agency's legal entities that issues acts and invoices.
type Seller struct {
	ID   string `json:"id" yaml:"id" dynamodbav:"id"`
	Name string `json:"name" yaml:"name" dynamodbav:"name"`
	// Names are the seller's name in other locales ({en: "Pixel LLC"}): documents of a locale print it.
	Names Names `json:"names,omitempty" yaml:"names,omitempty" dynamodbav:"names,omitempty"`
	// INN, KPP and OGRN are Russian tax ids (a sole proprietor has a 12-digit INN and no KPP).
	INN  string `json:"inn,omitempty" yaml:"inn,omitempty" dynamodbav:"inn,omitempty"`
	KPP  string `json:"kpp,omitempty" yaml:"kpp,omitempty" dynamodbav:"kpp,omitempty"`
	OGRN string `json:"ogrn,omitempty" yaml:"ogrn,omitempty" dynamodbav:"ogrn,omitempty"`
	// VATID is an EU-style VAT identification number.
	VATID   string `json:"vat_id,omitempty" yaml:"vat_id,omitempty" dynamodbav:"vatId,omitempty"`
	Address string `json:"address" yaml:"address" dynamodbav:"address"`
	Bank    Bank   `json:"bank" yaml:"bank" dynamodbav:"bank"`
	// Director signs acts and invoices; ChiefAccountant also signs Russian invoices when set.
	Director        Signer `json:"director" yaml:"director" dynamodbav:"director"`
	ChiefAccountant string `json:"chief_accountant,omitempty" yaml:"chief_accountant,omitempty" dynamodbav:"chiefAccountant,omitempty"`
	// Accountant receives each invoice with a one-click "payment received" link.
	Accountant Person `json:"accountant" yaml:"accountant" dynamodbav:"accountant"`
	VAT        VAT    `json:"vat" yaml:"vat" dynamodbav:"vat"`
	// NumberPrefix goes before document numbers ("PX-" makes "PX-2026-0015"); optional.
	NumberPrefix string `json:"number_prefix,omitempty" yaml:"number_prefix,omitempty" dynamodbav:"numberPrefix,omitempty"`
	// TimeZone is the IANA zone the seller keeps its books in: its documents are dated, fall due and are
	// numbered (the year of the series) in it, whatever the zones of the projects it bills. Empty: the
	// agency's.
	TimeZone string `json:"time_zone,omitempty" yaml:"time_zone,omitempty" dynamodbav:"timeZone,omitempty"`
}

// Buyer is a client's legal details as they appear on documents.
type Buyer struct {
	Name    string `json:"name" yaml:"name" dynamodbav:"name"`
	INN     string `json:"inn,omitempty" yaml:"inn,omitempty" dynamodbav:"inn,omitempty"`
	KPP     string `json:"kpp,omitempty" yaml:"kpp,omitempty" dynamodbav:"kpp,omitempty"`
	VATID   string `json:"vat_id,omitempty" yaml:"vat_id,omitempty" dynamodbav:"vatId,omitempty"`
	Address string `json:"address" yaml:"address" dynamodbav:"address"`
	// Signer signs acts for the buyer.
	Signer Signer `json:"signer,omitempty" yaml:"signer,omitempty" dynamodbav:"signer,omitempty"`
}

// BillingMode says which stage closing a stage bills.
type BillingMode string

// Billing modes.
const (
	// BillPrepay: closing a stage bills the next one, so work does not stop waiting for money.
	BillPrepay BillingMode = "prepay"
	// BillPostpay: closing a stage bills that stage.
	BillPostpay BillingMode = "postpay"
)

// Stage is one billable part of a project.
type Stage struct {
	ID     string `json:"id" yaml:"id" dynamodbav:"id"`
	Name   string `json:"name" yaml:"name" dynamodbav:"name"`
	Amount Minor  `json:"amount" yaml:"amount" dynamodbav:"amount"`
	// PaymentDays is how many days after issue its invoice is due; DefaultPaymentDays when 0.
	PaymentDays int `json:"payment_days,omitempty" yaml:"payment_days,omitempty" dynamodbav:"paymentDays,omitempty"`
	// Start and End are the planned dates, "2026-12-01".
	Start string `json:"start,omitempty" yaml:"start,omitempty" dynamodbav:"start,omitempty"`
	End   string `json:"end,omitempty" yaml:"end,omitempty" dynamodbav:"end,omitempty"`
}

// DefaultPaymentDays is the payment term of a stage that does not name one.
const DefaultPaymentDays = 5

// DefaultReminderDays are the days after an invoice's due date that its soft reminders go out.
var DefaultReminderDays = []int{3, 7, 14}

// Billing is how a project is billed. A project without stages is not billed.
type Billing struct {
	// Seller is the id of the agency's legal entity that bills this project.
	Seller   string      `json:"seller" yaml:"seller" dynamodbav:"seller"`
	Mode     BillingMode `json:"mode" yaml:"mode" dynamodbav:"mode"`
	Currency string      `json:"currency" yaml:"currency" dynamodbav:"currency"`
	// ContractNumber and ContractDate ("12", "2026-09-01") are the contract the documents are issued under,
	// which they quote («по договору № 12 от 01.09.2026»).
	ContractNumber string `json:"contract_number,omitempty" yaml:"contract_number,omitempty" dynamodbav:"contractNumber,omitempty"`
	ContractDate   string `json:"contract_date,omitempty" yaml:"contract_date,omitempty" dynamodbav:"contractDate,omitempty"`
	// Contract is the older free-text form ("Договор № 12 от 01.09.2026"), kept so existing agency files load:
	// see ContractRef.
	Contract string  `json:"contract,omitempty" yaml:"contract,omitempty" dynamodbav:"contract,omitempty"`
	Stages   []Stage `json:"stages" yaml:"stages" dynamodbav:"stages"`
	// ReminderDays overrides DefaultReminderDays.
	ReminderDays []int `json:"reminder_days,omitempty" yaml:"reminder_days,omitempty" dynamodbav:"reminderDays,omitempty"`
}

// Stage returns the stage with the given id and its index.
func (b Billing) Stage(id string) (Stage, int, bool) {
	for i, s := range b.Stages {
		if s.ID == id {
			return s, i, true
		}
	}
	return Stage{}, -1, false
}

// ContractRef is the contract a project's documents are issued under. Documents word it in their own language
// («по договору № 12 от 01.09.2026», "under contract No. 12 of 1 September 2026"); Text is set instead of
// Number and Date when an older free-text contract does not read as a number and a date, and is quoted as is.
type ContractRef struct {
	Number string
	// Date is a civil date, "2026-09-01".
	Date string
	Text string
}

// contractText reads the usual Russian way of naming a contract: «Договор № 12 от 01.09.2026», «№ 12 от
// 1.9.2026 г.».
var contractText = regexp.MustCompile(`^(?i:договор|контракт)?\s*№\s*(\S+)\s+от\s+(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?$`)

// ContractRef returns the contract the project's documents quote, and false when there is none. It comes from
// ContractNumber and ContractDate, or from the older free-text Contract: read as a number and a date when it
// is written the usual way («Договор № 12 от 01.09.2026»), else kept as text.
func (b Billing) ContractRef() (ContractRef, bool) {
	if b.ContractNumber != "" || b.ContractDate != "" {
		return ContractRef{Number: strings.TrimSpace(b.ContractNumber), Date: strings.TrimSpace(b.ContractDate)}, true
	}
	text := strings.Join(strings.Fields(b.Contract), " ")
	if text == "" {
		return ContractRef{}, false
	}
	if m := contractText.FindStringSubmatch(text); m != nil {
		day, _ := strconv.Atoi(m[2])
		month, _ := strconv.Atoi(m[3])
		year, _ := strconv.Atoi(m[4])
		t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if t.Day() == day && int(t.Month()) == month {
			return ContractRef{Number: m[1], Date: t.Format(time.DateOnly)}, true
		}
	}
	return ContractRef{Text: text}, true
}

// Reminders returns the days after the due date that reminders go out, ascending.
func (b Billing) Reminders() []int {
	if len(b.ReminderDays) > 0 {
		return b.ReminderDays
	}
	return DefaultReminderDays
}

// WorkingHours is when clients may be written to by robot: weekdays, From <= hour < To, in the project's
// zone. Zero means DefaultWorkingHours.
type WorkingHours struct {
	From int `json:"from" yaml:"from" dynamodbav:"from"`
	To   int `json:"to" yaml:"to" dynamodbav:"to"`
}

// DefaultWorkingHours are 10:00 to 18:00.
var DefaultWorkingHours = WorkingHours{From: 10, To: 18}

// Contains says whether local time t (already in the client's zone) is within working hours on a weekday.
func (w WorkingHours) Contains(t time.Time) bool {
	if w.From == 0 && w.To == 0 {
		w = DefaultWorkingHours
	}
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	return t.Hour() >= w.From && t.Hour() < w.To
}

// DealRoute sends one CRM deal's events to a project.
type DealRoute struct {
	DealID    string `json:"deal" yaml:"deal" dynamodbav:"deal"`
	ProjectID string `json:"project" yaml:"project" dynamodbav:"project"`
	// StageMap overrides the binding's stage map for this deal.
	StageMap map[string][]string `json:"stage_map,omitempty" yaml:"stage_map,omitempty" dynamodbav:"stageMap,omitempty"`
}

// StagePaid is the stage-map key of the CRM stages that mean "the open invoice is paid".
const StagePaid = "paid"

// StageStart is the stage-map key of the CRM stages that mean "the work starts" (a contract signed): a
// prepaid project's first stage is billed then, since no earlier stage closes to bill it.
const StageStart = "start"

// DealProject returns the project a CRM deal belongs to.
func (b Binding) DealProject(dealID string) (DealRoute, bool) {
	for _, d := range b.Deals {
		if d.DealID == dealID {
			return d, true
		}
	}
	return DealRoute{}, false
}

// StageWon in a stage map matches any deal the CRM itself calls won (amoCRM 142, a Bitrix24 stage of
// semantic S, HubSpot closedwon, Pipedrive status won), whatever its stage id.
const StageWon = "won"

// StageMeaning says what a deal's stage means for the project its event was filed under (projectID, decided
// at ingest): the project stage it closes, or paid. The deal's own stage map applies while the binding still
// routes the deal to that project, else the binding's. Map values are CRM stage ids, stage names (ignoring
// case) or StageWon. Both results are empty when the map does not mention it.
func (b Binding) StageMeaning(projectID string, d DealChange) (closes string, paid bool) {
	m := b.StageMap
	if r, ok := b.DealProject(d.ID); ok && r.ProjectID == projectID && len(r.StageMap) > 0 {
		m = r.StageMap
	}
	// Sorted keys make the answer stable when a stage is (wrongly) listed twice.
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		for _, v := range m[key] {
			if (d.StageID != "" && v == d.StageID) || (d.StageName != "" && strings.EqualFold(v, d.StageName)) ||
				(d.Won && v == StageWon) {
				if key == StagePaid {
					return "", true
				}
				return key, false
			}
		}
	}
	return "", false
}

// DealChange is what a CRM said about a deal. StageID is empty on an EventDealUpdated (Bitrix24 sends only the
// deal id): React reads the deal back from the CRM.
type DealChange struct {
	ID            string `json:"id" dynamodbav:"id"`
	Name          string `json:"name,omitempty" dynamodbav:"name,omitempty"`
	StageID       string `json:"stageId,omitempty" dynamodbav:"stageId,omitempty"`
	StageName     string `json:"stageName,omitempty" dynamodbav:"stageName,omitempty"`
	PrevStageID   string `json:"prevStageId,omitempty" dynamodbav:"prevStageId,omitempty"`
	PrevStageName string `json:"prevStageName,omitempty" dynamodbav:"prevStageName,omitempty"`
	PipelineID    string `json:"pipelineId,omitempty" dynamodbav:"pipelineId,omitempty"`
	// Amount and Currency are the CRM's, kept for the timeline; documents bill the configured stage amount.
	Amount   Minor  `json:"amount,omitempty" dynamodbav:"amount,omitempty"`
	Currency string `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
	// Won is the CRM's own "closed and won" flag.
	Won bool `json:"won,omitempty" dynamodbav:"won,omitempty"`
}

// StageClose is the record that a project stage was closed, made once per (project, stage): it and the
// documents it issued are written in one transaction. ClosedAt is when Glassbox closed it and issued the
// documents, not when the CRM event that caused it happened (EventID names that event).
type StageClose struct {
	ID        string `json:"id" dynamodbav:"id"`
	ProjectID string `json:"projectId" dynamodbav:"projectId"`
	StageID   string `json:"stageId" dynamodbav:"stageId"`
	DealID    string `json:"dealId,omitempty" dynamodbav:"dealId,omitempty"`
	EventID   string `json:"eventId" dynamodbav:"eventId"`
	// ClosedAt is when Glassbox closed the stage and issued its documents: their date and number year.
	ClosedAt time.Time `json:"closedAt" dynamodbav:"closedAt"`
	// ReportedAt is when the CRM says the stage closed (the event's time): the date of supply of the stage's
	// services, earlier than ClosedAt when the event was processed late. Zero when unknown.
	ReportedAt  time.Time `json:"reportedAt,omitzero" dynamodbav:"reportedAt,omitempty"`
	DocumentIDs []string  `json:"documentIds" dynamodbav:"documentIds"`
}

// StageCloseID is the id of a stage's close: one per project and stage, whatever the redeliveries.
func StageCloseID(projectID, stageID string) string {
	return "close:" + projectID + ":" + stageID
}

// DocumentKind is the kind of an issued document.
type DocumentKind string

// Document kinds.
const (
	DocumentAct     DocumentKind = "act"
	DocumentInvoice DocumentKind = "invoice"
)

// DocumentState is where an issued document is in its life.
type DocumentState string

// Document states. Issued invoices are open until paid; a voided document keeps its number forever.
const (
	DocumentIssued DocumentState = "issued"
	DocumentPaid   DocumentState = "paid"
	DocumentVoid   DocumentState = "void"
)

// DocumentLine is one row of a document's table.
type DocumentLine struct {
	Name     string `json:"name" dynamodbav:"name"`
	Quantity int64  `json:"quantity" dynamodbav:"quantity"`
	Unit     string `json:"unit" dynamodbav:"unit"`
	Price    Minor  `json:"price" dynamodbav:"price"`
	Sum      Minor  `json:"sum" dynamodbav:"sum"`
}

// Document is an issued act or invoice: a snapshot of everything printed on it, so it can be shown and
// downloaded again byte for byte after the configuration changes. Its PDF is stored beside it.
type Document struct {
	ID        string       `json:"id" dynamodbav:"id"`
	Kind      DocumentKind `json:"kind" dynamodbav:"kind"`
	ProjectID string       `json:"projectId" dynamodbav:"projectId"`
	ClientID  string       `json:"clientId" dynamodbav:"clientId"`
	CloseID   string       `json:"closeId" dynamodbav:"closeId"`
	DealID    string       `json:"dealId,omitempty" dynamodbav:"dealId,omitempty"`
	// StageID is the stage the document is for: the closed one for an act, the billed one for an invoice.
	StageID   string `json:"stageId" dynamodbav:"stageId"`
	StageName string `json:"stageName" dynamodbav:"stageName"`
	// Series is the numbering series (DocumentSeries); Seq the number in it; Number the printed number.
	Series string `json:"series" dynamodbav:"series"`
	Seq    int64  `json:"seq" dynamodbav:"seq"`
	Number string `json:"number" dynamodbav:"number"`
	// Locale is the language the document and every message about it speak (LocaleRU or LocaleEN), decided
	// once when it is issued; a message sent or re-sent later reads it from here.
	Locale string `json:"locale" dynamodbav:"locale"`
	// IssuedAt is when the document was issued (UTC); Date and DueDate are civil dates ("2026-11-23") in
	// TimeZone, the seller's zone at issue, which later messages about the document also use.
	IssuedAt time.Time `json:"issuedAt" dynamodbav:"issuedAt"`
	Date     string    `json:"date" dynamodbav:"date"`
	DueDate  string    `json:"dueDate,omitempty" dynamodbav:"dueDate,omitempty"`
	TimeZone string    `json:"timeZone" dynamodbav:"timeZone"`

	Seller      Seller         `json:"seller" dynamodbav:"seller"`
	Buyer       Buyer          `json:"buyer" dynamodbav:"buyer"`
	ProjectName string         `json:"projectName" dynamodbav:"projectName"`
	Contract    string         `json:"contract,omitempty" dynamodbav:"contract,omitempty"`
	Currency    string         `json:"currency" dynamodbav:"currency"`
	Lines       []DocumentLine `json:"lines" dynamodbav:"lines"`
	VAT         VAT            `json:"vat" dynamodbav:"vat"`
	// Net is without VAT, VATAmount the VAT, Total what is paid; Total = Net + VATAmount.
	Net       Minor `json:"net" dynamodbav:"net"`
	VATAmount Minor `json:"vatAmount" dynamodbav:"vatAmount"`
	Total     Minor `json:"total" dynamodbav:"total"`
	// Purpose is the payment purpose printed on an invoice and put in its QR code.
	Purpose string `json:"purpose,omitempty" dynamodbav:"purpose,omitempty"`
	// SupplyStart and SupplyEnd are when the services are supplied, civil dates (equal for one day); empty for
	// an advance invoice of a stage with no planned period. English invoices print them.
	SupplyStart string `json:"supplyStart,omitempty" dynamodbav:"supplyStart,omitempty"`
	SupplyEnd   string `json:"supplyEnd,omitempty" dynamodbav:"supplyEnd,omitempty"`

	State      DocumentState `json:"state" dynamodbav:"state"`
	PaidAt     time.Time     `json:"paidAt,omitempty" dynamodbav:"paidAt,omitempty"`
	PaidBy     string        `json:"paidBy,omitempty" dynamodbav:"paidBy,omitempty"`
	VoidedAt   time.Time     `json:"voidedAt,omitempty" dynamodbav:"voidedAt,omitempty"`
	VoidReason string        `json:"voidReason,omitempty" dynamodbav:"voidReason,omitempty"`
	// PDFSHA256 is the hex SHA-256 of the stored PDF, so a download can be checked against what was sent.
	PDFSHA256 string `json:"pdfSha256" dynamodbav:"pdfSha256"`
}

// Zone is the time zone the document was dated in (TimeZone), which messages about it use for their dates
// too; UTC when it does not load.
func (d Document) Zone() *time.Location {
	return zone(d.TimeZone)
}

// Overdue says an issued (unpaid, not void) document with a due date is past it at now: the due date is
// before today in the document's zone, so an invoice due today is not overdue until tomorrow.
func (d Document) Overdue(now time.Time) bool {
	return d.DueDate != "" && d.State == DocumentIssued && d.DueDate < now.In(d.Zone()).Format(time.DateOnly)
}

// DocumentID is the id of a close's document of a kind.
func DocumentID(closeID string, kind DocumentKind) string {
	sum := sha256.Sum256([]byte(closeID + "\x00" + string(kind)))
	return "doc-" + hex.EncodeToString(sum[:10])
}

// DocumentSeries names a numbering series: documents of one kind of one seller in one year are numbered 1,
// 2, 3... with no gaps and no reuse.
func DocumentSeries(sellerID string, kind DocumentKind, year int) string {
	return fmt.Sprintf("%s/%s/%d", sellerID, kind, year)
}

// FormatNumber prints a document number: the seller's prefix, the year and the number, "PX-2026-0015".
func FormatNumber(prefix string, year int, seq int64) string {
	return fmt.Sprintf("%s%d-%04d", prefix, year, seq)
}

// IssuedDocument is a document with its PDF, as written when a stage closes.
type IssuedDocument struct {
	Document Document
	PDF      []byte
}
