package glassbox

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
)

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	ibanPattern   = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$`)
	swiftPattern  = regexp.MustCompile(`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	vatPercentRe  = regexp.MustCompile(`^[0-9]{1,2}(\.[0-9]{1,2})?$`)
	russianVATSet = []VATRate{"22", "10", "7", "5", "0", VATNone}
)

// Validate checks the configuration as a whole: required fields, formats, and that every reference points at
// something that exists. Paths in the errors follow the agency file ("projects[0].manager.email",
// "projects[1].billing.stages[2].amount"). known is every provider a binding may name (providers.Catalog).
func (c Config) Validate(known ProviderCatalog) ValidationErrors {
	v := &validator{known: known}
	v.agency(c.Agency)
	v.timing("agency", c.Agency.QuietHours, c.Agency.Coalesce)
	v.reports("agency", c.Agency.Reports)

	sellers := map[string]party[Seller]{}
	seen := map[string]bool{}
	for i, s := range c.Sellers {
		p := fmt.Sprintf("sellers[%d]", i)
		v.seller(p, s, seen)
		if _, dup := sellers[s.ID]; !dup {
			sellers[s.ID] = party[Seller]{s, p}
		}
	}

	// Clients whose projects are billed must say who the buyer on the documents is.
	billedClients := map[string]bool{}
	for _, pr := range c.Projects {
		if pr.Billing.billed() {
			billedClients[pr.ClientID] = true
		}
	}
	clients := map[string]party[Client]{}
	seen = map[string]bool{}
	for i, cl := range c.Clients {
		p := fmt.Sprintf("clients[%d]", i)
		v.client(p, cl, seen, billedClients[cl.ID])
		if _, dup := clients[cl.ID]; !dup && cl.ID != "" {
			clients[cl.ID] = party[Client]{cl, p}
		}
	}

	projects := map[string]Project{}
	seen = map[string]bool{}
	for i, pr := range c.Projects {
		p := fmt.Sprintf("projects[%d]", i)
		v.id(p+".id", pr.ID, seen)
		if _, dup := projects[pr.ID]; !dup {
			projects[pr.ID] = pr
		}
		v.required(p+".name", pr.Name)
		client, haveClient := clients[pr.ClientID]
		if v.required(p+".client", pr.ClientID) && !haveClient {
			v.add(p+".client", "no client has id %q", pr.ClientID)
		}
		v.required(p+".manager.name", pr.Manager.Name)
		v.email(p+".manager.email", pr.Manager.Email)
		v.chat(p+".manager.telegram_chat_id", pr.Manager.TelegramChatID, c.Agency)
		v.chat(p+".telegram_chat_id", pr.TelegramChatID, c.Agency)
		v.locale(p+".locale", pr.Locale, false)
		v.zone(p+".time_zone", pr.TimeZone, false)
		v.billing(p+".billing", pr, c.ProjectLocale(pr), sellers, client)
		v.timing(p, pr.QuietHours, pr.Coalesce)
		v.reports(p, pr.Reports)
		v.passport(p, pr.Passport)
		v.reportsReachSomeone(p, c, pr)
	}

	for i, cl := range c.Clients {
		v.chat(fmt.Sprintf("clients[%d].telegram_chat_id", i), cl.TelegramChatID, c.Agency)
	}
	if c.Agency.TelegramBotParam != "" {
		v.param("agency.telegram_bot_param", c.Agency.TelegramBotParam)
		v.inFolder("agency.telegram_bot_param", c.Agency.TelegramBotParam, TelegramSecretFolder,
			"the functions that post held notices may read the bot token there only")
	}

	bindings := map[string]bool{}
	for i, b := range c.Bindings {
		v.binding(fmt.Sprintf("bindings[%d]", i), b, bindings, projects)
	}
	v.templates(c)
	return v.errs
}

// party is a seller or client with its path in the agency file, so a project's check can point at the
// party's field that is wrong.
type party[T any] struct {
	v    T
	path string
}

// validator collects the errors of one Validate call.
type validator struct {
	known ProviderCatalog
	errs  ValidationErrors
	// said keeps an error that several projects would repeat about one seller or client to one line.
	said map[string]bool
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// addOnce is add for an error found once per project but about a shared field: it is reported once.
func (v *validator) addOnce(path, format string, args ...any) {
	key := path + "\x00" + format
	if v.said[key] {
		return
	}
	if v.said == nil {
		v.said = map[string]bool{}
	}
	v.said[key] = true
	v.add(path, format, args...)
}

func (v *validator) required(path, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.add(path, "is required")
		return false
	}
	return true
}

func (v *validator) email(path, s string) {
	if v.required(path, s) {
		if _, err := mail.ParseAddress(s); err != nil {
			v.add(path, "%q is not an email address", s)
		}
	}
}

func (v *validator) locale(path, s string, mustHave bool) {
	if s == "" && !mustHave {
		return
	}
	if s != LocaleRU && s != LocaleEN {
		v.add(path, "must be %q or %q, not %q", LocaleRU, LocaleEN, s)
	}
}

func (v *validator) zone(path, s string, mustHave bool) {
	if s == "" && !mustHave {
		return
	}
	if _, err := time.LoadLocation(s); err != nil || s == "" {
		v.add(path, "%q is not an IANA time zone (like Europe/Moscow)", s)
	}
}

// id checks an id's format and, when seen is given, that it is unique.
func (v *validator) id(path, s string, seen map[string]bool) {
	if !v.required(path, s) {
		return
	}
	if !idPattern.MatchString(s) {
		v.add(path, "%q must be letters, digits, '.', '_' or '-' (at most 64)", s)
	}
	if seen == nil {
		return
	}
	if seen[s] {
		v.add(path, "%q is used twice", s)
	}
	seen[s] = true
}

// param checks the name of an SSM parameter.
func (v *validator) param(path, s string) {
	if v.required(path, s) && !strings.HasPrefix(s, "/") {
		v.add(path, "%q must be an SSM parameter name starting with \"/\" (like /glassbox/...)", s)
	}
}

// inFolder checks that an SSM parameter name sits in the secret folder its reader or writer is granted
// (secretfolders.go); why says which function, for the admin who wonders.
func (v *validator) inFolder(path, s, folder, why string) {
	if strings.HasPrefix(s, "/") && !InSecretFolder(s, folder) {
		v.add(path, "%q must be in the %s/ folder right under the stack's SecretsPrefix, like /glassbox/%s/%s: %s",
			s, folder, folder, s[strings.LastIndex(s, "/")+1:], why)
	}
}

// telegramChat is a chat id (a group's is negative) or a public @channel name.
var telegramChat = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$`)

// chat checks an optional Telegram chat, which needs the agency's bot.
func (v *validator) chat(path, id string, a Agency) {
	switch {
	case id == "":
	case !telegramChat.MatchString(id):
		v.add(path, "%q is not a Telegram chat id (a number such as -1001234567890) or @channel name", id)
	case a.TelegramBotParam == "":
		v.add(path, "needs agency.telegram_bot_param, the SSM parameter holding the bot token that sends there")
	}
}

func (v *validator) agency(a Agency) {
	v.required("agency.name", a.Name)
	v.names("agency.names", a.Names)
	v.email("agency.sender", a.Sender)
	v.locale("agency.locale", a.Locale, true)
	v.zone("agency.time_zone", a.TimeZone, true)
	if a.PublicURL != "" {
		if msg := checkPublicURL(a.PublicURL); msg != "" {
			v.add("agency.public_url", "%q %s", a.PublicURL, msg)
		}
	}
	if w := a.WorkingHours; w != (WorkingHours{}) {
		ok := true
		if w.From < 0 || w.From > 24 {
			v.add("agency.working_hours.from", "%d is not an hour from 0 to 24", w.From)
			ok = false
		}
		if w.To < 0 || w.To > 24 {
			v.add("agency.working_hours.to", "%d is not an hour from 0 to 24", w.To)
			ok = false
		}
		if ok && w.From >= w.To {
			v.add("agency.working_hours", "from (%d) must be before to (%d)", w.From, w.To)
		}
	}
}

// checkPublicURL says what is wrong with the agency's public URL, or "".
func checkPublicURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "is not an absolute URL (like https://glassbox.studio.example)"
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "must be a base URL without user, query or fragment"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return ""
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return ""
		}
		return "must use https (http only for localhost or 127.0.0.1)"
	default:
		return "must be an https URL"
	}
}

func (v *validator) seller(p string, s Seller, seen map[string]bool) {
	v.id(p+".id", s.ID, seen)
	v.required(p+".name", s.Name)
	v.names(p+".names", s.Names)
	v.required(p+".address", s.Address)
	v.required(p+".director.name", s.Director.Name)
	v.required(p+".accountant.name", s.Accountant.Name)
	v.email(p+".accountant.email", s.Accountant.Email)
	v.zone(p+".time_zone", s.TimeZone, false)
	russian := s.INN != ""
	v.taxIDs(p, s.INN, s.KPP, true)
	if s.OGRN != "" {
		switch {
		case !digits(s.OGRN, 13) && !digits(s.OGRN, 15):
			v.add(p+".ogrn", "%q must be 13 digits (ОГРН) or 15 digits (ОГРНИП)", s.OGRN)
		case digits(s.INN, 10) && !digits(s.OGRN, 13):
			v.add(p+".ogrn", "a company (10-digit inn) has a 13-digit ОГРН, not %q", s.OGRN)
		case digits(s.INN, 12) && !digits(s.OGRN, 15):
			v.add(p+".ogrn", "a sole proprietor (12-digit inn) has a 15-digit ОГРНИП, not %q", s.OGRN)
		case !OGRNValid(s.OGRN):
			v.add(p+".ogrn", "%q has a wrong control digit (the last one): check for a typo", s.OGRN)
		}
	}

	rate := s.VAT.Rate
	if russian {
		if rate != "" && !containsRate(russianVATSet, rate) {
			v.add(p+".vat.rate", "%q is not a Russian VAT rate: use 22, 10, 7, 5, 0 or none", rate)
		}
		if s.VAT.ReverseCharge {
			// Russian documents have no reverse charge: they would print «В том числе НДС» beside «НДС не облагается».
			v.add(p+".vat.reverse_charge", "is for EU sellers: a Russian seller (with an inn) charges its VAT rate or none")
		}
	} else if rate != "" && rate != VATNone {
		if bp, ok := rate.BasisPoints(); !ok || !vatPercentRe.MatchString(string(rate)) || bp > 3000 {
			v.add(p+".vat.rate", "%q must be a percent from 0 to 30 with at most two decimals (24, 25.5), or none", rate)
		}
	}
	if s.VAT.ReverseCharge && strings.TrimSpace(s.VATID) == "" {
		v.add(p+".vat_id", "is required with vat.reverse_charge: a reverse-charge invoice shows both parties' VAT ids")
	}

	bank := p + ".bank"
	if russian {
		v.required(bank+".name", s.Bank.Name)
		bikOK := v.digitsField(bank+".bik", s.Bank.BIC, 9, true)
		corrOK := v.digitsField(bank+".corr_account", s.Bank.CorrAccount, 20, true)
		accOK := v.digitsField(bank+".account", s.Bank.Account, 20, true)
		if bikOK && corrOK && !CorrAccountMatchesBIC(s.Bank.BIC, s.Bank.CorrAccount) {
			v.add(bank+".corr_account", "%q does not match bik %q (control key): check both for a typo", s.Bank.CorrAccount, s.Bank.BIC)
		} else if bikOK && corrOK && accOK && !AccountMatchesBIC(s.Bank.BIC, s.Bank.Account, s.Bank.CorrAccount) {
			v.add(bank+".account", "%q does not match bik %q (control key): check both for a typo", s.Bank.Account, s.Bank.BIC)
		}
	} else {
		if v.required(bank+".iban", s.Bank.IBAN) {
			if msg := checkIBAN(s.Bank.IBAN); msg != "" {
				v.add(bank+".iban", "%q %s", s.Bank.IBAN, msg)
			}
		}
		if v.required(bank+".swift", s.Bank.SWIFT) && !swiftPattern.MatchString(strings.ToUpper(s.Bank.SWIFT)) {
			v.add(bank+".swift", "%q is not a SWIFT/BIC code (8 or 11 letters and digits)", s.Bank.SWIFT)
		}
	}

	if n := s.NumberPrefix; n != "" {
		ok := len([]rune(n)) <= 10
		for _, r := range n {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '/' {
				ok = false
			}
		}
		if !ok {
			v.add(p+".number_prefix", "%q must be at most 10 letters, digits, '-' or '/'", n)
		}
	}
}

// taxIDs checks a Russian ИНН and КПП: a company has a 10-digit ИНН and a 9-digit КПП, a sole proprietor a
// 12-digit ИНН and no КПП. kppRequired says a company must give its КПП.
func (v *validator) taxIDs(p, inn, kpp string, kppRequired bool) {
	switch {
	case inn == "":
		if kpp != "" {
			v.add(p+".kpp", "is set without an inn")
		}
		return
	case digits(inn, 10):
		if kpp == "" && kppRequired {
			v.add(p+".kpp", "is required for a company (10-digit inn): 9 digits")
		} else if kpp != "" && !KPPValid(kpp) {
			v.add(p+".kpp", "%q must be 9 digits (digits 5 and 6 may be capital Latin letters), not starting 0000", kpp)
		}
	case digits(inn, 12):
		if kpp != "" {
			v.add(p+".kpp", "must be empty: a sole proprietor (12-digit inn) has no КПП")
		}
	default:
		v.add(p+".inn", "%q must be 10 digits (a company) or 12 digits (a sole proprietor)", inn)
		return
	}
	if !INNValid(inn) {
		v.add(p+".inn", "%q has a wrong control digit: check for a typo", inn)
	}
}

// digitsField checks a field of n digits and says whether it is one.
func (v *validator) digitsField(path, s string, n int, mustHave bool) bool {
	if s == "" && !mustHave {
		return false
	}
	if v.required(path, s) && !digits(s, n) {
		v.add(path, "%q must be %d digits", s, n)
		return false
	}
	return s != ""
}

func (v *validator) client(p string, cl Client, seen map[string]bool, billed bool) {
	v.id(p+".id", cl.ID, seen)
	v.required(p+".name", cl.Name)
	if len(cl.Contacts) == 0 {
		v.add(p+".contacts", "needs at least one contact")
	}
	for j, ct := range cl.Contacts {
		cp := fmt.Sprintf("%s.contacts[%d]", p, j)
		v.required(cp+".name", ct.Name)
		v.email(cp+".email", ct.Email)
	}
	b := cl.Buyer
	if billed {
		if b.Name == "" && b.Address == "" {
			v.add(p+".buyer", "is required: a billed project's documents name the buyer (name and address)")
		} else {
			v.required(p+".buyer.name", b.Name)
			v.required(p+".buyer.address", b.Address)
		}
	}
	v.taxIDs(p+".buyer", b.INN, b.KPP, false)
}

func (b Billing) billed() bool { return len(b.Stages) > 0 }

func (v *validator) billing(p string, pr Project, locale string, sellers map[string]party[Seller], client party[Client]) {
	b := pr.Billing
	if !b.billed() {
		if b.Seller != "" || b.Mode != "" || b.Currency != "" || b.Contract != "" || b.ContractNumber != "" ||
			b.ContractDate != "" || len(b.ReminderDays) > 0 {
			v.add(p+".stages", "is required: a project is billed by stages")
		}
		return
	}
	var seller party[Seller]
	haveSeller := false
	if v.required(p+".seller", b.Seller) {
		if seller, haveSeller = sellers[b.Seller]; !haveSeller {
			v.add(p+".seller", "no seller has id %q", b.Seller)
		}
	}
	if b.Mode != BillPrepay && b.Mode != BillPostpay {
		v.add(p+".mode", "must be %q or %q, not %q", BillPrepay, BillPostpay, b.Mode)
	}
	knownCurrency := false
	for _, cur := range Currencies {
		knownCurrency = knownCurrency || cur == b.Currency
	}
	if !knownCurrency {
		v.add(p+".currency", "%q is not a currency Glassbox bills in: use one of %s", b.Currency, strings.Join(Currencies, ", "))
	}
	if haveSeller {
		v.paymentQR(p, b, seller)
		v.vatNotes(pr, locale, seller, client)
	}
	v.contract(p, b, locale)

	stages := map[string]bool{}
	for j, s := range b.Stages {
		sp := fmt.Sprintf("%s.stages[%d]", p, j)
		v.id(sp+".id", s.ID, stages)
		v.required(sp+".name", s.Name)
		if s.Amount <= 0 {
			v.add(sp+".amount", "must be more than 0")
		}
		if s.PaymentDays < 0 || s.PaymentDays > 365 {
			v.add(sp+".payment_days", "%d must be from 0 to 365", s.PaymentDays)
		}
		start, startOK := v.date(sp+".start", s.Start)
		end, endOK := v.date(sp+".end", s.End)
		if startOK && endOK && s.Start != "" && s.End != "" && end.Before(start) {
			v.add(sp+".end", "%s is before start %s", s.End, s.Start)
		}
	}
	for j, d := range b.ReminderDays {
		switch {
		case d <= 0:
			v.add(fmt.Sprintf("%s.reminder_days[%d]", p, j), "%d must be a positive number of days", d)
		case j > 0 && d <= b.ReminderDays[j-1]:
			v.add(fmt.Sprintf("%s.reminder_days[%d]", p, j), "%d must be after %d: list the days in ascending order", d, b.ReminderDays[j-1])
		}
	}
}

// paymentQR checks that the invoices of a project can carry their payment QR code: a ГОСТ Р 56042 code for
// RUB needs a Russian seller, an EPC code for EUR an IBAN, and both limit the lengths of names. A document
// without its QR code is refused here rather than issued.
func (v *validator) paymentQR(p string, b Billing, seller party[Seller]) {
	s := seller.v
	switch b.Currency {
	case "RUB":
		if s.INN == "" {
			v.add(p+".seller", "%q has no inn: invoices in RUB carry the ГОСТ QR code and need a Russian seller (ИНН, БИК, accounts)", b.Seller)
			return
		}
		if n := textLen(s.Name); n > GOSTNameMax {
			v.addOnce(seller.path+".name", "is %d characters: the ГОСТ payment QR code of RUB invoices holds at most %d", n, GOSTNameMax)
		}
		if n := textLen(s.Bank.Name); n > GOSTBankNameMax {
			v.addOnce(seller.path+".bank.name", "is %d characters: the ГОСТ payment QR code of RUB invoices holds at most %d (shorten it: «ПАО Сбербанк»)", n, GOSTBankNameMax)
		}
	case "EUR":
		if s.Bank.IBAN == "" {
			v.add(p+".seller", "%q has no iban: EUR invoices carry an EPC QR code, which needs the seller's IBAN", b.Seller)
			return
		}
		if n := textLen(s.Name); n > EPCNameMax {
			v.addOnce(seller.path+".name", "is %d characters: the EPC payment QR code of EUR invoices holds at most %d", n, EPCNameMax)
		}
		for j, st := range b.Stages {
			if grossAtMost(st.Amount, s.VAT) > epcAmountMax {
				v.add(fmt.Sprintf("%s.stages[%d].amount", p, j), "with VAT is more than EUR 999 999 999.99, the most an EPC QR code carries: split the stage")
			}
		}
	}
}

// epcAmountMax is the largest EPC QR amount, in cents.
const epcAmountMax = 99999999999

// grossAtMost is an upper bound of what an invoice for amount costs with VAT.
func grossAtMost(amount Minor, vat VAT) Minor {
	bp, ok := vat.Rate.BasisPoints()
	if !ok || vat.Included || vat.ReverseCharge || amount > 1e15 {
		return amount
	}
	return amount + (amount*Minor(bp)+9999)/10000
}

// vatNotes checks what documents must say about VAT beyond the rate: a reverse-charge invoice names the
// buyer's VAT id, and an English invoice that charges no VAT says why.
func (v *validator) vatNotes(pr Project, locale string, seller party[Seller], client party[Client]) {
	vat := seller.v.VAT
	if vat.ReverseCharge && client.path != "" && strings.TrimSpace(client.v.Buyer.VATID) == "" {
		v.addOnce(client.path+".buyer.vat_id", "is required: project %q is billed by %q with reverse charge, whose invoices show the buyer's VAT id (the buyer accounts for the VAT)", pr.ID, seller.v.ID)
	}
	if locale != LocaleRU && vat.Exempt() && strings.TrimSpace(vat.Exemption) == "" {
		v.addOnce(seller.path+".vat.exemption", "is required: project %q gets English invoices without VAT, which must say why (the exemption and its legal basis)", pr.ID)
	}
}

// contract checks the contract documents quote: contract_number and contract_date, or the older free text,
// which a Russian project needs written the usual way so documents can say «по договору № … от …».
func (v *validator) contract(p string, b Billing, locale string) {
	structured := b.ContractNumber != "" || b.ContractDate != ""
	if structured {
		if b.Contract != "" {
			v.add(p+".contract", "is the older form of contract_number and contract_date: give one or the other")
		}
		if v.required(p+".contract_number", b.ContractNumber) {
			if n := strings.TrimSpace(b.ContractNumber); strings.HasPrefix(n, "№") || strings.HasPrefix(strings.ToLower(n), "no.") || strings.HasPrefix(strings.ToLower(n), "no ") {
				v.add(p+".contract_number", "%q: give the number alone (12), documents add «№» or No.", b.ContractNumber)
			}
		}
		if v.required(p+".contract_date", b.ContractDate) {
			v.date(p+".contract_date", b.ContractDate)
		}
		return
	}
	if ref, ok := b.ContractRef(); ok && ref.Text != "" && locale == LocaleRU {
		v.add(p+".contract", "%q does not read as «Договор № 12 от 01.09.2026»: give contract_number and contract_date instead, so documents can say «по договору № … от …»", b.Contract)
	}
}

// date checks an optional civil date.
func (v *validator) date(path, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.add(path, "%q is not a date like 2026-12-01", s)
		return time.Time{}, false
	}
	return t, true
}

func (v *validator) binding(p string, b Binding, seen map[string]bool, projects map[string]Project) {
	if v.required(p+".id", b.ID) && !idPattern.MatchString(b.ID) {
		v.add(p+".id", "%q must be letters, digits, '.', '_' or '-' (at most 64)", b.ID)
	}
	if v.required(p+".provider", b.Provider) {
		key := b.Provider + "/" + b.ID
		if seen[key] {
			v.add(p+".id", "%q is used twice for provider %q", b.ID, b.Provider)
		}
		seen[key] = true
	}
	v.required(p+".external_id", b.ExternalID)
	info, known := v.known.Lookup(b.Provider)
	if !info.Pulled { // a pulled source sends no webhooks, so it has no webhook secret (pulledBinding)
		v.param(p+".secret_param", b.SecretParam)
	}

	if b.Provider != "" && !known {
		v.add(p+".provider", "unknown provider %q: use %s", b.Provider, v.known.Names(""))
		return
	}
	if info.SecretFromHandshake {
		v.inFolder(p+".secret_param", b.SecretParam, HandshakeSecretFolder, fmt.Sprintf(
			"%s hands its webhook secret over in the subscription handshake, and the internet-facing IngestFunction may create parameters there only", b.Provider))
	}
	crms := v.known.Names(ProviderCRM)
	switch {
	case b.APIParam != "":
		v.param(p+".api_param", b.APIParam)
	case info.ReadsBack:
		v.add(p+".api_param", "is required for %s: the SSM parameter holding the credential that reads %s back through its API", b.Provider, b.Provider)
	}
	switch {
	case b.APIURL != "":
		if u, err := url.Parse(b.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.add(p+".api_url", "%q is not an http(s) URL", b.APIURL)
		}
	case info.NeedsAPIURL:
		v.add(p+".api_url", "is required for %s: the address of the account's API", b.Provider)
	}
	if info.Pulled {
		v.pulledBinding(p, b, info, projects)
		return
	}

	if info.Kind == ProviderMetrics {
		v.metricsBinding(p, b, projects)
		return
	}
	if len(b.Goals) > 0 {
		v.add(p+".goals", "is for metrics bindings (%s)", v.known.Names(ProviderMetrics))
	}
	if b.Currency != "" {
		v.add(p+".currency", "is for metrics bindings (%s); a project's billing has its own currency", v.known.Names(ProviderMetrics))
	}

	// A blank marker would make every comment a reason, and every title a hypothesis.
	for _, ms := range []struct {
		kind    string
		markers []string
	}{{"reason", b.Markers.Reason}, {"hypothesis", b.Markers.Hypothesis}} {
		for i, m := range ms.markers {
			if strings.TrimSpace(m) == "" {
				v.add(fmt.Sprintf("%s.markers.%s[%d]", p, ms.kind, i), "is blank: a marker is the text a comment or title starts with (\"Причина:\")")
			}
		}
	}

	if info.Kind != ProviderCRM {
		if v.required(p+".project", b.ProjectID) {
			if _, ok := projects[b.ProjectID]; !ok {
				v.add(p+".project", "no project has id %q", b.ProjectID)
			}
		}
		if len(b.StatusMap) == 0 {
			v.add(p+".status_map", "is required: say which lists mean done at least")
		}
		for _, s := range sortedKeys(b.StatusMap) {
			if !knownStatus(s) {
				v.add(fmt.Sprintf("%s.status_map.%s", p, s), "unknown status; use %s", statusNames())
			}
		}
		if len(b.Deals) > 0 {
			v.add(p+".deals", "is for CRM bindings (%s); a tracker binding has a project and a status_map", crms)
		}
		if len(b.StageMap) > 0 {
			v.add(p+".stage_map", "is for CRM bindings (%s); a tracker binding maps lists with status_map", crms)
		}
		return
	}

	// A CRM binding: deals route to billed projects, stage maps say which CRM stages close which stage.
	if b.ProjectID != "" {
		if _, ok := projects[b.ProjectID]; !ok {
			v.add(p+".project", "no project has id %q (a CRM binding routes by deals; project can be left out)", b.ProjectID)
		}
	}
	if len(b.StatusMap) > 0 {
		v.add(p+".status_map", "is for trackers; a CRM binding maps deal stages with stage_map")
	}

	if len(b.Deals) == 0 {
		v.add(p+".deals", "is required: list at least one deal and the project it belongs to")
	}
	deals := map[string]bool{}
	// sharedBy lists the projects the binding-level stage map applies to.
	var sharedBy []Project
	for j, d := range b.Deals {
		dp := fmt.Sprintf("%s.deals[%d]", p, j)
		if v.required(dp+".deal", d.DealID) {
			if deals[d.DealID] {
				v.add(dp+".deal", "%q is listed twice", d.DealID)
			}
			deals[d.DealID] = true
		}
		pr, found := Project{}, false
		if v.required(dp+".project", d.ProjectID) {
			if pr, found = projects[d.ProjectID]; !found {
				v.add(dp+".project", "no project has id %q", d.ProjectID)
			} else if !pr.Billing.billed() {
				v.add(dp+".project", "project %q is not billed: give it billing.stages", d.ProjectID)
				found = false
			}
		}
		switch {
		case len(d.StageMap) > 0:
			var own []Project
			if found {
				own = []Project{pr}
			}
			v.stageMap(dp+".stage_map", d.StageMap, own)
		case len(b.StageMap) == 0:
			v.add(dp+".stage_map", "is required here or on the binding: say which CRM stages close which project stage")
		case found:
			sharedBy = append(sharedBy, pr)
		}
	}
	if len(b.StageMap) > 0 {
		v.stageMap(p+".stage_map", b.StageMap, sharedBy)
	} else if len(b.Deals) == 0 {
		v.add(p+".stage_map", "is required: say which CRM stages close which project stage")
	}
}

// metricsBinding checks a binding of a source of daily figures (ProviderMetrics): it feeds one project; goals
// (the ids whose conversions count as leads) and currency (ISO 4217, the account's) are optional; it has no
// lists or stages to map.
func (v *validator) metricsBinding(p string, b Binding, projects map[string]Project) {
	if v.required(p+".project", b.ProjectID) {
		if _, ok := projects[b.ProjectID]; !ok {
			v.add(p+".project", "no project has id %q", b.ProjectID)
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"status_map", len(b.StatusMap) > 0}, {"deals", len(b.Deals) > 0}, {"stage_map", len(b.StageMap) > 0}} {
		if f.set {
			v.add(p+"."+f.name, "is not for a metrics binding (%s), which brings figures, not tasks or deals", b.Provider)
		}
	}
	seen := map[string]bool{}
	for j, g := range b.Goals {
		gp := fmt.Sprintf("%s.goals[%d]", p, j)
		switch {
		case strings.TrimSpace(g) == "":
			v.add(gp, "is empty: give a goal id")
		case seen[g]:
			v.add(gp, "%q is listed twice", g)
		}
		seen[g] = true
	}
	if b.Currency != "" {
		if _, ok := CurrencyDigits(b.Currency); !ok {
			v.add(p+".currency", "%q is not an ISO 4217 currency code in capitals (like RUB, EUR, USD)", b.Currency)
		}
	}
}

// stageMap checks a CRM stage map against the projects it applies to: each key is StagePaid, StageStart or a
// stage id of
// every one of them, each value a CRM stage id or name, or StageWon.
func (v *validator) stageMap(p string, m map[string][]string, projects []Project) {
	for _, key := range sortedKeys(m) {
		kp := p + "." + key
		if key != StagePaid && key != StageStart {
			for _, pr := range projects {
				if _, _, ok := pr.Billing.Stage(key); !ok {
					v.add(kp, "project %q has no stage %q (keys are stage ids, %q or %q)", pr.ID, key, StageStart, StagePaid)
				}
			}
		}
		if key == StageStart {
			for _, pr := range projects {
				if pr.Billing.Mode != BillPrepay {
					v.add(kp, "project %q is postpaid: nothing is billed when it starts (%q is for prepaid projects)", pr.ID, StageStart)
				}
			}
		}
		if len(m[key]) == 0 {
			v.add(kp, "lists no CRM stage: give stage ids, names or %q", StageWon)
		}
		for j, val := range m[key] {
			if strings.TrimSpace(val) == "" {
				v.add(fmt.Sprintf("%s[%d]", kp, j), "is empty: give a CRM stage id, name or %q", StageWon)
			}
		}
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// statusNames lists the statuses a status map may use: "todo, in_progress, ... or cancelled".
func statusNames() string {
	names := make([]string, len(Statuses))
	for i, s := range Statuses {
		names[i] = string(s)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func knownStatus(s TaskStatus) bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}

func containsRate(set []VATRate, r VATRate) bool {
	for _, s := range set {
		if s == r {
			return true
		}
	}
	return false
}

// digits says whether s is exactly n ASCII digits.
func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkIBAN says what is wrong with an IBAN (spaces allowed), or "": two letters, two check digits, up to 30
// letters and digits, and the ISO 13616 mod-97 checksum.
func checkIBAN(s string) string {
	iban := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if !ibanPattern.MatchString(iban) {
		return "is not an IBAN: two letters, two digits, then up to 30 letters and digits"
	}
	// Move the first four characters to the end, read letters as 10..35, and take the number mod 97
	// digit by digit.
	rem := 0
	for _, r := range iban[4:] + iban[:4] {
		if r >= 'A' && r <= 'Z' {
			rem = (rem*100 + int(r-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(r-'0')) % 97
		}
	}
	if rem != 1 {
		return "has a wrong checksum: check for a typo"
	}
	return ""
}
