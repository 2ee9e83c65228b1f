package glassbox_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// validConfig is a configuration that uses every feature: both kinds of seller, buyers, billed and unbilled
// projects, a tracker binding and a binding of every CRM.
func binding(c *glassbox.Config, id string) *glassbox.Binding {
	for i := range c.Bindings {
		if c.Bindings[i].ID == id {
			return &c.Bindings[i]
		}
	}
	panic("no binding " + id)
}

func validConfig() glassbox.Config {
	stages := func(ids ...string) []glassbox.Stage {
		out := make([]glassbox.Stage, len(ids))
		for i, id := range ids {
			out[i] = glassbox.Stage{ID: id, Name: "Stage " + id, Amount: 100000}
		}
		return out
	}
	manager := glassbox.Person{Name: "Maria", Email: "maria@studio.example"}
	return glassbox.Config{
		Agency: glassbox.Agency{Name: "Studio", Sender: "Studio <notify@studio.example>", Locale: "ru",
			TimeZone: "Europe/Moscow", PublicURL: "https://glassbox.studio.example",
			WorkingHours: glassbox.WorkingHours{From: 9, To: 19}},
		Sellers: []glassbox.Seller{
			{ID: "ru", Name: "ООО «Студия»", INN: "7701234560", KPP: "770101001", OGRN: "1187746000001", Address: "Москва",
				Bank:       glassbox.Bank{Name: "ПАО Сбербанк", BIC: "044525225", CorrAccount: "30101810400000000225", Account: "40702810938000012345"},
				Director:   glassbox.Signer{Title: "Генеральный директор", Name: "Петров Иван Сергеевич"},
				Accountant: glassbox.Person{Name: "Елена", Email: "buh@studio.example"},
				VAT:        glassbox.VAT{Rate: "22", Included: true}, NumberPrefix: "СТ-"},
			{ID: "ip", Name: "ИП Петров", INN: "770123456703", OGRN: "318774600000004", Address: "Москва",
				Bank:       glassbox.Bank{Name: "Банк", BIC: "044525225", CorrAccount: "30101810400000000225", Account: "40802810838000012345"},
				Director:   glassbox.Signer{Name: "Петров И. С."},
				Accountant: glassbox.Person{Name: "Иван", Email: "ip@studio.example"}, VAT: glassbox.VAT{Rate: glassbox.VATNone}},
			{ID: "eu", Name: "Studio OÜ", VATID: "EE102030405", Address: "Tallinn",
				Bank:       glassbox.Bank{Name: "Swedbank", IBAN: "EE38 2200 2210 2014 5685", SWIFT: "HABAEE2X"},
				Director:   glassbox.Signer{Title: "CEO", Name: "Ivan Petrov"},
				Accountant: glassbox.Person{Name: "Elena", Email: "accounting@studio.example"},
				VAT:        glassbox.VAT{Rate: "24", ReverseCharge: true}, NumberPrefix: "PX/EU-"},
		},
		Clients: []glassbox.Client{
			{ID: "acme", Name: "Acme", Contacts: []glassbox.Person{{Name: "Anna", Email: "anna@acme.example"}},
				Buyer: glassbox.Buyer{Name: "ООО «Акме»", INN: "7709876545", KPP: "770901001", Address: "Москва",
					Signer: glassbox.Signer{Title: "Директор", Name: "Смирнова А. П."}}},
			{ID: "north", Name: "Northwind", Contacts: []glassbox.Person{{Name: "John", Email: "john@north.example"}},
				Buyer: glassbox.Buyer{Name: "Northwind GmbH", VATID: "DE123456789", Address: "Berlin"}},
			{ID: "free", Name: "Not billed", Contacts: []glassbox.Person{{Name: "Bob", Email: "bob@free.example"}}},
		},
		Projects: []glassbox.Project{
			{ID: "site", ClientID: "acme", Name: "Site", Manager: manager, Locale: "ru", TimeZone: "Europe/Moscow",
				Billing: glassbox.Billing{Seller: "ru", Mode: glassbox.BillPrepay, Currency: "RUB", ContractNumber: "1", ContractDate: "2026-09-01",
					Stages: []glassbox.Stage{
						{ID: "design", Name: "Дизайн", Amount: 9000000, PaymentDays: 5, Start: "2026-12-01", End: "2026-12-18"},
						{ID: "build", Name: "Разработка", Amount: 15000000, PaymentDays: 365, Start: "2026-12-21", End: "2026-12-21"},
					},
					ReminderDays: []int{1, 5, 30}}},
			{ID: "shop", ClientID: "acme", Name: "Shop", Manager: manager,
				Billing: glassbox.Billing{Seller: "ip", Mode: glassbox.BillPostpay, Currency: "RUB", Stages: stages("catalog", "build")}},
			{ID: "app", ClientID: "north", Name: "App", Manager: manager, Locale: "en", TimeZone: "Europe/Berlin",
				Billing: glassbox.Billing{Seller: "eu", Mode: glassbox.BillPrepay, Currency: "EUR", Stages: stages("discovery", "build")}},
			{ID: "ads", ClientID: "north", Name: "Ads", Manager: manager, Locale: "en",
				Billing: glassbox.Billing{Seller: "ru", Mode: glassbox.BillPostpay, Currency: "USD", Stages: stages("setup", "build")}},
			{ID: "blog", ClientID: "free", Name: "Blog", Manager: manager},
		},
		Bindings: []glassbox.Binding{
			{ID: "board", ProjectID: "blog", Provider: "trello", ExternalID: "b1", SecretParam: "/glassbox/trello/board",
				StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}},
			{ID: "amo", Provider: "amocrm", ExternalID: "studio", SecretParam: "/glassbox/amocrm/amo",
				Deals: []glassbox.DealRoute{{DealID: "1", ProjectID: "site"}, {DealID: "2", ProjectID: "shop"}},
				// Shared by both projects, so only their common stage and paid.
				StageMap: map[string][]string{"build": {"41893096"}, glassbox.StagePaid: {"142"}}},
			{ID: "bitrix", Provider: "bitrix24", ExternalID: "studio.bitrix24.ru", SecretParam: "/glassbox/bitrix24/bitrix",
				APIParam: "/glassbox/bitrix24/bitrix-api",
				Deals:    []glassbox.DealRoute{{DealID: "759", ProjectID: "shop", StageMap: map[string][]string{"catalog": {"WON"}}}}},
			{ID: "hub", Provider: "hubspot", ExternalID: "27356661", SecretParam: "/glassbox/hubspot/hub",
				CallbackURL: "https://glassbox.studio.example/hooks/hubspot/hub",
				Deals: []glassbox.DealRoute{
					{DealID: "18234567890", ProjectID: "app"},
					{DealID: "18234567891", ProjectID: "ads", StageMap: map[string][]string{"setup": {"Contract sent"}}},
				},
				StageMap: map[string][]string{glassbox.StageStart: {"appointmentscheduled"}, "discovery": {"contractsent"}, glassbox.StagePaid: {glassbox.StageWon}}},
			{ID: "pipe", Provider: "pipedrive", ExternalID: "12882925", SecretParam: "/glassbox/pipedrive/pipe",
				Deals:    []glassbox.DealRoute{{DealID: "1042", ProjectID: "ads"}},
				StageMap: map[string][]string{"setup": {"4"}, glassbox.StagePaid: {glassbox.StageWon}}},
		},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		if errs := validConfig().Validate(providers.Catalog()); len(errs) > 0 {
			t.Fatalf("valid config has errors:\n%v", errs)
		}
	})

	seller := func(c *glassbox.Config, id string) *glassbox.Seller {
		for i := range c.Sellers {
			if c.Sellers[i].ID == id {
				return &c.Sellers[i]
			}
		}
		panic("no seller " + id)
	}
	project := func(c *glassbox.Config, id string) *glassbox.Project {
		for i := range c.Projects {
			if c.Projects[i].ID == id {
				return &c.Projects[i]
			}
		}
		panic("no project " + id)
	}

	tests := []struct {
		name   string
		change func(c *glassbox.Config)
		path   string
		msg    string
	}{
		// Agency.
		{"PublicURLHTTP", func(c *glassbox.Config) { c.Agency.PublicURL = "http://glassbox.studio.example" },
			"agency.public_url", "must use https"},
		{"PublicURLRelative", func(c *glassbox.Config) { c.Agency.PublicURL = "glassbox.studio.example" },
			"agency.public_url", "is not an absolute URL"},
		{"PublicURLFTP", func(c *glassbox.Config) { c.Agency.PublicURL = "ftp://glassbox.studio.example" },
			"agency.public_url", "must be an https URL"},
		{"WorkingHoursReversed", func(c *glassbox.Config) { c.Agency.WorkingHours = glassbox.WorkingHours{From: 18, To: 10} },
			"agency.working_hours", "must be before"},
		{"WorkingHoursTooLate", func(c *glassbox.Config) { c.Agency.WorkingHours = glassbox.WorkingHours{From: 10, To: 25} },
			"agency.working_hours.to", "from 0 to 24"},

		// Sellers.
		{"SellerTimeZoneUnknown", func(c *glassbox.Config) { c.Sellers[0].TimeZone = "Europe/Atlantis" }, "sellers[0].time_zone", "not an IANA time zone"},
		{"SellerIDTwice", func(c *glassbox.Config) { c.Sellers[1].ID = "ru" }, "sellers[1].id", "used twice"},
		{"SellerIDBad", func(c *glassbox.Config) { c.Sellers = append(c.Sellers, glassbox.Seller{ID: "a b"}) },
			"sellers[3].id", "must be letters"},
		{"SellerNameMissing", func(c *glassbox.Config) { seller(c, "eu").Name = "" }, "sellers[2].name", "is required"},
		{"SellerAddressMissing", func(c *glassbox.Config) { seller(c, "ru").Address = "" }, "sellers[0].address", "is required"},
		{"DirectorMissing", func(c *glassbox.Config) { seller(c, "ru").Director.Name = "" }, "sellers[0].director.name", "is required"},
		{"AccountantNameMissing", func(c *glassbox.Config) { seller(c, "eu").Accountant.Name = "" },
			"sellers[2].accountant.name", "is required"},
		{"AccountantEmailBad", func(c *glassbox.Config) { seller(c, "eu").Accountant.Email = "elena" },
			"sellers[2].accountant.email", "is not an email address"},
		{"AccountantEmailMissing", func(c *glassbox.Config) { seller(c, "ru").Accountant.Email = "" },
			"sellers[0].accountant.email", "is required"},
		{"RussianVATRate", func(c *glassbox.Config) { seller(c, "ru").VAT.Rate = "20" }, "sellers[0].vat.rate", "not a Russian VAT rate"},
		{"VATRateTooHigh", func(c *glassbox.Config) { seller(c, "eu").VAT.Rate = "31" }, "sellers[2].vat.rate", "from 0 to 30"},
		{"VATRatePercentSign", func(c *glassbox.Config) { seller(c, "eu").VAT.Rate = "24%" }, "sellers[2].vat.rate", "at most two decimals"},
		{"VATRateThreeDecimals", func(c *glassbox.Config) { seller(c, "eu").VAT.Rate = "25.555" }, "sellers[2].vat.rate", "at most two decimals"},
		{"VATRateFractionTooHigh", func(c *glassbox.Config) { seller(c, "eu").VAT.Rate = "30.5" }, "sellers[2].vat.rate", "from 0 to 30"},
		{"RussianVATRateFraction", func(c *glassbox.Config) { seller(c, "ru").VAT.Rate = "25.5" }, "sellers[0].vat.rate", "not a Russian VAT rate"},
		{"RussianReverseCharge", func(c *glassbox.Config) { seller(c, "ru").VAT.ReverseCharge = true },
			"sellers[0].vat.reverse_charge", "is for EU sellers"},
		{"ReverseChargeWithoutSellerVATID", func(c *glassbox.Config) { seller(c, "eu").VATID = "" }, "sellers[2].vat_id", "is required"},
		{"ReverseChargeWithoutBuyerVATID", func(c *glassbox.Config) { c.Clients[1].Buyer.VATID = "" },
			"clients[1].buyer.vat_id", `project "app" is billed by "eu" with reverse charge`},
		{"ExemptEnglishInvoiceWithoutReason", func(c *glassbox.Config) { seller(c, "eu").VAT = glassbox.VAT{Rate: glassbox.VATNone} },
			"sellers[2].vat.exemption", `project "app" gets English invoices without VAT`},
		{"ZeroRateEnglishInvoiceWithoutReason", func(c *glassbox.Config) { seller(c, "eu").VAT = glassbox.VAT{Rate: "0"} },
			"sellers[2].vat.exemption", "must say why"},
		{"INNLength", func(c *glassbox.Config) { seller(c, "ru").INN = "77012345" }, "sellers[0].inn", "10 digits"},
		// The demo's former ИНН: ten digits whose control digit should be 0.
		{"INN10ControlDigit", func(c *glassbox.Config) { seller(c, "ru").INN = "7701234567" }, "sellers[0].inn", "wrong control digit"},
		{"INN12FirstControlDigit", func(c *glassbox.Config) { seller(c, "ip").INN = "770123456713" }, "sellers[1].inn", "wrong control digit"},
		{"INN12SecondControlDigit", func(c *glassbox.Config) { seller(c, "ip").INN = "770123456704" }, "sellers[1].inn", "wrong control digit"},
		{"BuyerINNControlDigit", func(c *glassbox.Config) { c.Clients[0].Buyer.INN = "7709876543" }, "clients[0].buyer.inn", "wrong control digit"},
		{"KPPLetters", func(c *glassbox.Config) { seller(c, "ru").KPP = "7701ab001" }, "sellers[0].kpp", "9 digits"},
		{"KPPZeroOffice", func(c *glassbox.Config) { seller(c, "ru").KPP = "000001001" }, "sellers[0].kpp", "not starting 0000"},
		{"OGRNControlDigit", func(c *glassbox.Config) { seller(c, "ru").OGRN = "1187746000000" }, "sellers[0].ogrn", "wrong control digit"},
		{"OGRNIPControlDigit", func(c *glassbox.Config) { seller(c, "ip").OGRN = "318774600000000" }, "sellers[1].ogrn", "wrong control digit"},
		{"AccountKey", func(c *glassbox.Config) { seller(c, "ip").Bank.Account = "40802810938000012345" },
			"sellers[1].bank.account", `does not match bik "044525225"`},
		{"AccountOfAnotherBank", func(c *glassbox.Config) { seller(c, "ru").Bank.Account = "40702810610000012345" },
			"sellers[0].bank.account", "control key"},
		{"CorrAccountKey", func(c *glassbox.Config) { seller(c, "ru").Bank.CorrAccount = "30101810500000000225" },
			"sellers[0].bank.corr_account", `does not match bik "044525225"`},
		{"CorrAccountOfAnotherBank", func(c *glassbox.Config) { seller(c, "ru").Bank.CorrAccount = "30101810145250000974" },
			"sellers[0].bank.corr_account", "control key"},
		{"BankNameTooLongForGOSTQR", func(c *glassbox.Config) {
			seller(c, "ru").Bank.Name = "Публичное акционерное общество «Сбербанк России», г. Москва" + "!!!"
		}, "sellers[0].bank.name", "is 62 characters: the ГОСТ payment QR code of RUB invoices holds at most 45"},
		{"SellerNameTooLongForGOSTQR", func(c *glassbox.Config) { seller(c, "ip").Name = strings.Repeat("Ш", 161) },
			"sellers[1].name", "at most 160"},
		{"SellerNameTooLongForEPCQR", func(c *glassbox.Config) { seller(c, "eu").Name = strings.Repeat("S", 71) },
			"sellers[2].name", "is 71 characters: the EPC payment QR code of EUR invoices holds at most 70"},
		{"EuroAmountTooLargeForEPCQR", func(c *glassbox.Config) { project(c, "app").Billing.Stages[0].Amount = 100_000_000_000 },
			"projects[2].billing.stages[0].amount", "EPC QR code"},
		{"INNLetters", func(c *glassbox.Config) { seller(c, "ru").INN = "77012345ab" }, "sellers[0].inn", "10 digits"},
		{"KPPMissing", func(c *glassbox.Config) { seller(c, "ru").KPP = "" }, "sellers[0].kpp", "is required for a company"},
		{"KPPLength", func(c *glassbox.Config) { seller(c, "ru").KPP = "7701010" }, "sellers[0].kpp", "9 digits"},
		{"KPPForSoleProprietor", func(c *glassbox.Config) { seller(c, "ip").KPP = "770101001" },
			"sellers[1].kpp", "sole proprietor"},
		{"KPPWithoutINN", func(c *glassbox.Config) { seller(c, "eu").KPP = "770101001" }, "sellers[2].kpp", "without an inn"},
		{"OGRNLength", func(c *glassbox.Config) { seller(c, "ru").OGRN = "11877460000" }, "sellers[0].ogrn", "13 digits"},
		{"OGRNIPForCompany", func(c *glassbox.Config) { seller(c, "ru").OGRN = "318774600000000" }, "sellers[0].ogrn", "13-digit"},
		{"BankNameMissing", func(c *glassbox.Config) { seller(c, "ru").Bank.Name = "" }, "sellers[0].bank.name", "is required"},
		{"BIKMissing", func(c *glassbox.Config) { seller(c, "ru").Bank.BIC = "" }, "sellers[0].bank.bik", "is required"},
		{"BIKLength", func(c *glassbox.Config) { seller(c, "ru").Bank.BIC = "04452522" }, "sellers[0].bank.bik", "9 digits"},
		{"CorrAccountLength", func(c *glassbox.Config) { seller(c, "ru").Bank.CorrAccount = "3010181040000000022" },
			"sellers[0].bank.corr_account", "20 digits"},
		{"AccountMissing", func(c *glassbox.Config) { seller(c, "ip").Bank.Account = "" }, "sellers[1].bank.account", "is required"},
		{"IBANMissing", func(c *glassbox.Config) { seller(c, "eu").Bank.IBAN = "" }, "sellers[2].bank.iban", "is required"},
		{"IBANShape", func(c *glassbox.Config) { seller(c, "eu").Bank.IBAN = "382200221020145685" }, "sellers[2].bank.iban", "is not an IBAN"},
		{"IBANChecksum", func(c *glassbox.Config) { seller(c, "eu").Bank.IBAN = "EE382200221020145686" }, "sellers[2].bank.iban", "checksum"},
		{"SWIFTMissing", func(c *glassbox.Config) { seller(c, "eu").Bank.SWIFT = "" }, "sellers[2].bank.swift", "is required"},
		{"SWIFTLength", func(c *glassbox.Config) { seller(c, "eu").Bank.SWIFT = "HABAEE2" }, "sellers[2].bank.swift", "8 or 11"},
		{"NumberPrefixTooLong", func(c *glassbox.Config) { seller(c, "ru").NumberPrefix = "ABCDEFGHIJK" },
			"sellers[0].number_prefix", "at most 10"},
		{"NumberPrefixSpace", func(c *glassbox.Config) { seller(c, "ru").NumberPrefix = "A B" }, "sellers[0].number_prefix", "letters, digits"},

		// Buyers.
		{"BuyerMissingForBilledClient", func(c *glassbox.Config) { c.Clients[1].Buyer = glassbox.Buyer{} }, "clients[1].buyer", "is required"},
		{"BuyerAddressMissing", func(c *glassbox.Config) { c.Clients[0].Buyer.Address = "" }, "clients[0].buyer.address", "is required"},
		{"BuyerNameMissing", func(c *glassbox.Config) { c.Clients[1].Buyer.Name = "" }, "clients[1].buyer.name", "is required"},
		{"BuyerINN", func(c *glassbox.Config) { c.Clients[0].Buyer.INN = "123" }, "clients[0].buyer.inn", "10 digits"},
		{"BuyerKPP", func(c *glassbox.Config) { c.Clients[0].Buyer.KPP = "12" }, "clients[0].buyer.kpp", "9 digits"},
		{"UnbilledBuyerINN", func(c *glassbox.Config) { c.Clients[2].Buyer.INN = "123" }, "clients[2].buyer.inn", "10 digits"},

		// Billing.
		{"BillingWithoutStages", func(c *glassbox.Config) { project(c, "blog").Billing.Seller = "ru" },
			"projects[4].billing.stages", "is required"},
		{"SellerMissing", func(c *glassbox.Config) { project(c, "site").Billing.Seller = "" }, "projects[0].billing.seller", "is required"},
		{"SellerUnknown", func(c *glassbox.Config) { project(c, "site").Billing.Seller = "nobody" },
			"projects[0].billing.seller", `no seller has id "nobody"`},
		{"Mode", func(c *glassbox.Config) { project(c, "site").Billing.Mode = "upfront" }, "projects[0].billing.mode", `"prepay" or "postpay"`},
		{"Currency", func(c *glassbox.Config) { project(c, "site").Billing.Currency = "rub" }, "projects[0].billing.currency", "RUB, EUR"},
		{"RubleInvoiceNeedsRussianSeller", func(c *glassbox.Config) { project(c, "site").Billing.Seller = "eu" },
			"projects[0].billing.seller", "need a Russian seller"},
		{"RubleInvoiceAgencyLocale", func(c *glassbox.Config) { project(c, "shop").Billing.Seller = "eu" },
			"projects[1].billing.seller", "need a Russian seller"},
		{"EuroInvoiceNeedsIBAN", func(c *glassbox.Config) { project(c, "app").Billing.Seller = "ru" },
			"projects[2].billing.seller", "EUR invoices carry an EPC QR code, which needs the seller's IBAN"},
		{"RubleInvoiceEnglishNeedsRussianSeller", func(c *glassbox.Config) {
			project(c, "app").Billing.Currency = "RUB"
		}, "projects[2].billing.seller", "need a Russian seller"},
		{"ContractFreeTextUnreadable", func(c *glassbox.Config) {
			b := &project(c, "site").Billing
			b.ContractNumber, b.ContractDate, b.Contract = "", "", "Договор оказания услуг"
		}, "projects[0].billing.contract", "give contract_number and contract_date"},
		{"ContractBothForms", func(c *glassbox.Config) { project(c, "site").Billing.Contract = "Договор № 1 от 01.09.2026" },
			"projects[0].billing.contract", "give one or the other"},
		{"ContractDateMissing", func(c *glassbox.Config) { project(c, "site").Billing.ContractDate = "" },
			"projects[0].billing.contract_date", "is required"},
		{"ContractNumberMissing", func(c *glassbox.Config) { project(c, "site").Billing.ContractNumber = "" },
			"projects[0].billing.contract_number", "is required"},
		{"ContractDateNotDate", func(c *glassbox.Config) { project(c, "site").Billing.ContractDate = "01.09.2026" },
			"projects[0].billing.contract_date", "not a date"},
		{"ContractNumberWithSign", func(c *glassbox.Config) { project(c, "site").Billing.ContractNumber = "№ 12" },
			"projects[0].billing.contract_number", "the number alone"},
		{"StageIDTwice", func(c *glassbox.Config) { project(c, "site").Billing.Stages[1].ID = "design" },
			"projects[0].billing.stages[1].id", "used twice"},
		{"StageIDBad", func(c *glassbox.Config) { project(c, "site").Billing.Stages[1].ID = "этап 2" },
			"projects[0].billing.stages[1].id", "must be letters"},
		{"StageNameMissing", func(c *glassbox.Config) { project(c, "shop").Billing.Stages[0].Name = "" },
			"projects[1].billing.stages[0].name", "is required"},
		{"StageAmountZero", func(c *glassbox.Config) { project(c, "app").Billing.Stages[1].Amount = 0 },
			"projects[2].billing.stages[1].amount", "more than 0"},
		{"StageAmountNegative", func(c *glassbox.Config) { project(c, "app").Billing.Stages[1].Amount = -100 },
			"projects[2].billing.stages[1].amount", "more than 0"},
		{"PaymentDays", func(c *glassbox.Config) { project(c, "site").Billing.Stages[0].PaymentDays = 366 },
			"projects[0].billing.stages[0].payment_days", "0 to 365"},
		{"PaymentDaysNegative", func(c *glassbox.Config) { project(c, "site").Billing.Stages[0].PaymentDays = -1 },
			"projects[0].billing.stages[0].payment_days", "0 to 365"},
		{"StartNotDate", func(c *glassbox.Config) { project(c, "site").Billing.Stages[0].Start = "01.12.2026" },
			"projects[0].billing.stages[0].start", "not a date"},
		{"EndNotDate", func(c *glassbox.Config) { project(c, "site").Billing.Stages[1].End = "2026-02-30" },
			"projects[0].billing.stages[1].end", "not a date"},
		{"EndBeforeStart", func(c *glassbox.Config) { project(c, "site").Billing.Stages[0].End = "2026-11-30" },
			"projects[0].billing.stages[0].end", "before start"},
		{"ReminderDaysZero", func(c *glassbox.Config) { project(c, "site").Billing.ReminderDays = []int{0, 3} },
			"projects[0].billing.reminder_days[0]", "positive"},
		{"ReminderDaysOrder", func(c *glassbox.Config) { project(c, "site").Billing.ReminderDays = []int{3, 3} },
			"projects[0].billing.reminder_days[1]", "ascending"},

		// Bindings.
		{"ProviderUnknown", func(c *glassbox.Config) { binding(c, "board").Provider = "youtrack" },
			"bindings[0].provider", `unknown provider "youtrack": use amocrm, `},
		{"SecretParamMissing", func(c *glassbox.Config) { binding(c, "amo").SecretParam = "" }, "bindings[1].secret_param", "is required"},
		{"SecretParamNotAPath", func(c *glassbox.Config) { binding(c, "amo").SecretParam = "glassbox-amo" },
			"bindings[1].secret_param", `starting with "/"`},
		{"TrackerProjectMissing", func(c *glassbox.Config) { binding(c, "board").ProjectID = "" }, "bindings[0].project", "is required"},
		{"TrackerStatusUnknown", func(c *glassbox.Config) {
			binding(c, "board").StatusMap[glassbox.TaskStatus("on_hold")] = []string{"Hold"}
		}, "bindings[0].status_map.on_hold", "unknown status; use todo, in_progress, review, done, blocked, waiting, paused or cancelled"},
		{"ReasonMarkerBlank", func(c *glassbox.Config) {
			binding(c, "board").Markers.Reason = []string{"Причина:", " "}
		}, "bindings[0].markers.reason[1]", "is blank"},
		{"TrackerStatusMapMissing", func(c *glassbox.Config) { binding(c, "board").StatusMap = nil }, "bindings[0].status_map", "is required"},
		{"TrackerWithDeals", func(c *glassbox.Config) {
			binding(c, "board").Deals = []glassbox.DealRoute{{DealID: "1", ProjectID: "site"}}
		}, "bindings[0].deals", "for CRM bindings"},
		{"TrackerWithStageMap", func(c *glassbox.Config) {
			binding(c, "board").StageMap = map[string][]string{"paid": {"x"}}
		}, "bindings[0].stage_map", "for CRM bindings"},
		{"CRMWithStatusMap", func(c *glassbox.Config) {
			binding(c, "amo").StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}
		}, "bindings[1].status_map", "for trackers"},
		{"CRMProjectUnknown", func(c *glassbox.Config) { binding(c, "amo").ProjectID = "nope" }, "bindings[1].project", "no project"},
		{"DealsMissing", func(c *glassbox.Config) { binding(c, "pipe").Deals = nil }, "bindings[4].deals", "at least one deal"},
		{"DealIDMissing", func(c *glassbox.Config) { binding(c, "amo").Deals[1].DealID = "" }, "bindings[1].deals[1].deal", "is required"},
		{"DealTwice", func(c *glassbox.Config) { binding(c, "amo").Deals[1].DealID = "1" }, "bindings[1].deals[1].deal", "listed twice"},
		{"DealProjectMissing", func(c *glassbox.Config) { binding(c, "amo").Deals[0].ProjectID = "" },
			"bindings[1].deals[0].project", "is required"},
		{"DealProjectUnknown", func(c *glassbox.Config) { binding(c, "amo").Deals[0].ProjectID = "nope" },
			"bindings[1].deals[0].project", `no project has id "nope"`},
		{"DealProjectNotBilled", func(c *glassbox.Config) { binding(c, "pipe").Deals[0].ProjectID = "blog" },
			"bindings[4].deals[0].project", "is not billed"},
		{"StageMapMissing", func(c *glassbox.Config) { binding(c, "pipe").StageMap = nil },
			"bindings[4].deals[0].stage_map", "is required here or on the binding"},
		{"StageMapKeyNotInEveryProject", func(c *glassbox.Config) { binding(c, "amo").StageMap["design"] = []string{"1"} },
			"bindings[1].stage_map.design", `project "shop" has no stage "design"`},
		{"DealStageMapKeyUnknown", func(c *glassbox.Config) {
			binding(c, "bitrix").Deals[0].StageMap["launch"] = []string{"C1:WON"}
		}, "bindings[2].deals[0].stage_map.launch", `project "shop" has no stage "launch"`},
		{"SharedMapSkipsOverriddenDeal", func(c *glassbox.Config) {
			// ads has its own map; the binding map's key discovery must fit only app.
			binding(c, "hub").StageMap["setup"] = []string{"x"}
		}, "bindings[3].stage_map.setup", `project "app" has no stage "setup"`},
		{"StartOnPostpaidProject", func(c *glassbox.Config) { binding(c, "bitrix").Deals[0].StageMap["start"] = []string{"NEW"} },
			"bindings[2].deals[0].stage_map.start", `project "shop" is postpaid`},
		{"StageMapValueEmpty", func(c *glassbox.Config) { binding(c, "amo").StageMap["paid"] = []string{"142", " "} },
			"bindings[1].stage_map.paid[1]", "is empty"},
		{"StageMapNoValues", func(c *glassbox.Config) { binding(c, "amo").StageMap["paid"] = nil },
			"bindings[1].stage_map.paid", "lists no CRM stage"},
		{"BitrixAPIParamMissing", func(c *glassbox.Config) { binding(c, "bitrix").APIParam = "" },
			"bindings[2].api_param", "is required for bitrix24"},
		{"APIParamNotAPath", func(c *glassbox.Config) { binding(c, "bitrix").APIParam = "https://studio.bitrix24.ru/rest/1/abc/" },
			"bindings[2].api_param", `starting with "/"`},
		{"APIParamNotAPath", func(c *glassbox.Config) { binding(c, "board").APIParam = "glassbox-x" },
			"bindings[0].api_param", `starting with "/"`},
		{"APIURLNotAURL", func(c *glassbox.Config) { binding(c, "board").APIURL = "acme.kaiten.ru" },
			"bindings[0].api_url", "is not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tt.change(&c)
			errs := c.Validate(providers.Catalog())
			for _, e := range errs {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("no error at %s containing %q; got:\n%v", tt.path, tt.msg, errs)
		})
	}
}

func TestValidateAllowsLocalPublicURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:8080/", "https://glassbox.studio.example/base"} {
		c := validConfig()
		c.Agency.PublicURL = u
		if errs := c.Validate(providers.Catalog()); len(errs) > 0 {
			t.Errorf("public_url %q: %v", u, errs)
		}
	}
}

func TestValidateUnbilledProjectsNeedNoBuyer(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.Sellers = nil
	for i := range c.Projects {
		c.Projects[i].Billing = glassbox.Billing{}
	}
	for i := range c.Clients {
		c.Clients[i].Buyer = glassbox.Buyer{}
	}
	c.Bindings = c.Bindings[:1]
	if errs := c.Validate(providers.Catalog()); len(errs) > 0 {
		t.Fatalf("unbilled config has errors:\n%v", errs)
	}
}

// TestValidateAccepts lists configurations that must load: fractional EU rates, an older free-text contract
// that reads as a number and a date, a КПП with a letter reason code, requisites with valid control digits.
func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		change func(c *glassbox.Config)
	}{
		{"FinnishRate", func(c *glassbox.Config) { c.Sellers[2].VAT.Rate = "25.5" }},
		{"FractionalRate", func(c *glassbox.Config) { c.Sellers[2].VAT.Rate = "13.5" }},
		{"FractionalRateTwoDecimals", func(c *glassbox.Config) { c.Sellers[2].VAT.Rate = "5.55" }},
		{"OldContractText", func(c *glassbox.Config) {
			c.Projects[0].Billing.ContractNumber, c.Projects[0].Billing.ContractDate = "", ""
			c.Projects[0].Billing.Contract = "Договор № 12 от 01.09.2026"
		}},
		{"OldContractTextEnglish", func(c *glassbox.Config) { c.Projects[2].Billing.Contract = "Agreement NW-7 of 1 September 2026" }},
		{"KPPLetterReason", func(c *glassbox.Config) { c.Sellers[0].KPP = "7701AB001" }},
		{"WaitingPausedCancelledStatuses", func(c *glassbox.Config) {
			m := binding(c, "board").StatusMap
			m[glassbox.StatusWaiting], m[glassbox.StatusPaused], m[glassbox.StatusCancelled] = []string{"Ждёт клиента"}, []string{"Пауза"}, []string{"Отменено"}
		}},
		{"SberbankRequisites", func(c *glassbox.Config) { c.Sellers[0].INN, c.Sellers[0].OGRN = "7707083893", "1027700132195" }},
		{"OtherBank", func(c *glassbox.Config) {
			c.Sellers[0].Bank = glassbox.Bank{Name: "АО «ТБанк»", BIC: "044525974", CorrAccount: "30101810145250000974", Account: "40702810610000012345"}
		}},
		{"ExemptWithReason", func(c *glassbox.Config) {
			c.Sellers[2].VAT = glassbox.VAT{Rate: glassbox.VATNone, Exemption: "Small business, not registered for VAT"}
			c.Clients[1].Buyer.VATID = ""
		}},
		{"RussianExemptNeedsNoReason", func(c *glassbox.Config) {
			c.Sellers[0].VAT = glassbox.VAT{Rate: glassbox.VATNone}
			c.Projects[3].Locale = "ru" // Russian documents say «Без налога (НДС)»
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tt.change(&c)
			if errs := c.Validate(providers.Catalog()); len(errs) > 0 {
				t.Errorf("errors:\n%v", errs)
			}
		})
	}
}

func TestContractRef(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		billing glassbox.Billing
		want    glassbox.ContractRef
		wantOK  bool
	}{
		{glassbox.Billing{ContractNumber: "12", ContractDate: "2026-09-01"}, glassbox.ContractRef{Number: "12", Date: "2026-09-01"}, true},
		{glassbox.Billing{Contract: "Договор № 12 от 01.09.2026"}, glassbox.ContractRef{Number: "12", Date: "2026-09-01"}, true},
		{glassbox.Billing{Contract: "договор №12/А от 1.9.2026 г."}, glassbox.ContractRef{Number: "12/А", Date: "2026-09-01"}, true},
		{glassbox.Billing{Contract: "№ 7 от 31.12.2026"}, glassbox.ContractRef{Number: "7", Date: "2026-12-31"}, true},
		{glassbox.Billing{Contract: "Договор № 7 от 31.02.2026"}, glassbox.ContractRef{Text: "Договор № 7 от 31.02.2026"}, true},
		{glassbox.Billing{Contract: "Agreement NW-7 of 1 September 2026"}, glassbox.ContractRef{Text: "Agreement NW-7 of 1 September 2026"}, true},
		{glassbox.Billing{}, glassbox.ContractRef{}, false},
	} {
		got, ok := tt.billing.ContractRef()
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ContractRef(%+v) = %+v, %v; want %+v, %v", tt.billing, got, ok, tt.want, tt.wantOK)
		}
	}
}

// What a provider declares decides what its bindings need: one that reads back needs api_param, one with an
// API per company needs api_url; a tracker needs a project and a status map whatever its name.
func TestValidateAsksTheProviderCatalog(t *testing.T) {
	t.Parallel()
	known := append(providers.Catalog(), glassbox.ProviderInfo{Name: "cards", Kind: glassbox.ProviderTracker, ReadsBack: true, NeedsAPIURL: true})
	c := validConfig()
	binding(&c, "board").Provider = "cards"
	errs := c.Validate(known)
	for _, want := range []string{"bindings[0].api_param: is required for cards", "bindings[0].api_url: is required for cards"} {
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("no %q in:\n%v", want, errs)
		}
	}
	binding(&c, "board").APIParam = "/glassbox/cards/api"
	binding(&c, "board").APIURL = "https://acme.cards.example/api"
	if errs := c.Validate(known); len(errs) > 0 {
		t.Errorf("a complete binding of a read-back tracker: %v", errs)
	}
	if errs := c.Validate(providers.Catalog()); !strings.Contains(errs.Error(), `unknown provider "cards"`) {
		t.Errorf("a provider missing from the catalog was accepted: %v", errs)
	}
}

// The stack grants IngestFunction PutParameter in the hooks/ folder only, and FlushFunction the bot token in the
// telegram/ folder only (template.yaml, pinned by shared/deploy): the agency file must name parameters there,
// or the handshake and the held Telegram notices would fail with AccessDenied in production.
func TestValidateSecretFolders(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, secret, bot string
		path, msg         string // empty: valid
	}{
		{name: "HandshakeInHooks", secret: "/glassbox/hooks/site-asana", bot: "/glassbox/telegram/bot"},
		{name: "OtherPrefix", secret: "/studio/glassbox/hooks/site-asana", bot: "/studio/glassbox/telegram/bot"},
		{name: "HandshakeInProviderFolder", secret: "/glassbox/asana/site", bot: "/glassbox/telegram/bot",
			path: "bindings[5].secret_param", msg: `"/glassbox/asana/site" must be in the hooks/ folder right under the stack's SecretsPrefix, like /glassbox/hooks/site: asana hands its webhook secret over`},
		{name: "HandshakeBelowHooks", secret: "/glassbox/hooks/asana/site", bot: "/glassbox/telegram/bot",
			path: "bindings[5].secret_param", msg: "must be in the hooks/ folder"},
		{name: "HandshakeIsTheFolder", secret: "/glassbox/hooks/", bot: "/glassbox/telegram/bot",
			path: "bindings[5].secret_param", msg: "must be in the hooks/ folder"},
		{name: "BotOutsideTelegram", secret: "/glassbox/hooks/site-asana", bot: "/glassbox/bot",
			path: "agency.telegram_bot_param", msg: `"/glassbox/bot" must be in the telegram/ folder right under the stack's SecretsPrefix, like /glassbox/telegram/bot`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			c.Agency.TelegramBotParam = tt.bot
			c.Clients[0].TelegramChatID = "-1001234567890"
			c.Bindings = append(c.Bindings, glassbox.Binding{ID: "site", ProjectID: "blog", Provider: "asana", ExternalID: "1200",
				SecretParam: tt.secret, APIParam: "/glassbox/asana/site-api",
				StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}})
			errs := c.Validate(providers.Catalog())
			if tt.path == "" {
				if len(errs) > 0 {
					t.Errorf("errors:\n%v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("no error at %s containing %q; got:\n%v", tt.path, tt.msg, errs)
		})
	}
	// Only a provider that hands its secret over is held to hooks/: a Trello secret the admin sets lives anywhere.
	c := validConfig()
	if errs := c.Validate(providers.Catalog()); len(errs) > 0 || glassbox.InSecretFolder(c.Bindings[0].SecretParam, glassbox.HandshakeSecretFolder) {
		t.Errorf("trello's /glassbox/trello/board: %v", errs)
	}
}
