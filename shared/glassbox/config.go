// Package glassbox holds the domain of Glassbox: the agency's configuration, provider-neutral task events,
// task state, outgoing messages, and the small interfaces the domain needs from the outside world.
// It imports nothing of ours and nothing of AWS.
package glassbox

import (
	"fmt"
	"strings"
	"time"
)

// Locales a project can speak to its client in.
const (
	LocaleRU = "ru"
	LocaleEN = "en"
)

// Config is everything an agency admin describes in the agency file: who the agency is, its clients, their
// projects, and how tracker boards are bound to projects.
type Config struct {
	Agency   Agency    `json:"agency" yaml:"agency" dynamodbav:"agency"`
	Clients  []Client  `json:"clients" yaml:"clients" dynamodbav:"clients"`
	Projects []Project `json:"projects" yaml:"projects" dynamodbav:"projects"`
	Bindings []Binding `json:"bindings" yaml:"bindings" dynamodbav:"bindings"`
	// Sellers are the agency's legal entities that issue acts and invoices.
	Sellers []Seller `json:"sellers,omitempty" yaml:"sellers,omitempty" dynamodbav:"sellers,omitempty"`
}

// Agency is the service agency that runs Glassbox.
type Agency struct {
	Name string `json:"name" yaml:"name" dynamodbav:"name"`
	// Names are the agency's name in other locales ({en: "Pixel Studio"}): emails of a locale are from and
	// signed by it.
	Names Names `json:"names,omitempty" yaml:"names,omitempty" dynamodbav:"names,omitempty"`
	// Sender is the verified address notices are sent from, e.g. "Studio <notify@studio.example>".
	Sender   string `json:"sender" yaml:"sender" dynamodbav:"sender"`
	Locale   string `json:"locale" yaml:"locale" dynamodbav:"locale"`
	TimeZone string `json:"time_zone" yaml:"time_zone" dynamodbav:"timeZone"`
	// PublicURL is the base URL of the deployed HTTP API or its custom domain, for links in emails
	// ("https://glassbox.studio.example"). Empty: the deployment's own API URL.
	PublicURL string `json:"public_url,omitempty" yaml:"public_url,omitempty" dynamodbav:"publicUrl,omitempty"`
	// TelegramBotParam names the SSM parameter holding the Telegram bot token that sends to the chats the
	// projects name. Required once any chat is configured.
	TelegramBotParam string `json:"telegram_bot_param,omitempty" yaml:"telegram_bot_param,omitempty" dynamodbav:"telegramBotParam,omitempty"`
	// WorkingHours is when clients may get reminders; DefaultWorkingHours when unset.
	WorkingHours WorkingHours `json:"working_hours,omitempty" yaml:"working_hours,omitempty" dynamodbav:"workingHours,omitempty"`
	// Templates override the built-in wording of messages, per locale ("ru", "en") and message kind; a
	// project's own templates come first (see MessageTemplate).
	Templates map[string]MessageTemplates `json:"templates,omitempty" yaml:"templates,omitempty" dynamodbav:"templates,omitempty"`
	// QuietHours is when client notices wait (nil: 21:00–09:00 and weekends); Coalesce the window task-done
	// notices wait in to go as one message ("10m"; "0" or "off": each at once; empty: 10 minutes). Projects may
	// override both. See Timing.
	QuietHours *QuietHours `json:"quiet_hours,omitempty" yaml:"quiet_hours,omitempty" dynamodbav:"quietHours,omitempty"`
	Coalesce   string      `json:"coalesce,omitempty" yaml:"coalesce,omitempty" dynamodbav:"coalesce,omitempty"`
	// Reports are the weekly digests and monthly reports (nil: the defaults, see ProjectReports).
	Reports *Reports `json:"reports,omitempty" yaml:"reports,omitempty" dynamodbav:"reports,omitempty"`
}

// Person is someone a message can be addressed to.
type Person struct {
	Name  string `json:"name" yaml:"name" dynamodbav:"name"`
	Email string `json:"email" yaml:"email" dynamodbav:"email"`
	// TelegramChatID is the person's own Telegram chat with the bot, for a manager's notices.
	TelegramChatID string `json:"telegram_chat_id,omitempty" yaml:"telegram_chat_id,omitempty" dynamodbav:"telegramChatId,omitempty"`
}

// Client is a customer of the agency.
type Client struct {
	ID       string   `json:"id" yaml:"id" dynamodbav:"id"`
	Name     string   `json:"name" yaml:"name" dynamodbav:"name"`
	Contacts []Person `json:"contacts" yaml:"contacts" dynamodbav:"contacts"`
	// TelegramChatID is the client's Telegram group, where client notices also go, unless a project names its
	// own.
	TelegramChatID string `json:"telegram_chat_id,omitempty" yaml:"telegram_chat_id,omitempty" dynamodbav:"telegramChatId,omitempty"`
	// Buyer is the client's legal entity as documents name it; required for billed projects.
	Buyer Buyer `json:"buyer,omitempty" yaml:"buyer,omitempty" dynamodbav:"buyer,omitempty"`
}

// Project is one piece of work the agency does for a client.
type Project struct {
	ID       string `json:"id" yaml:"id" dynamodbav:"id"`
	ClientID string `json:"client" yaml:"client" dynamodbav:"clientId"`
	Name     string `json:"name" yaml:"name" dynamodbav:"name"`
	Manager  Person `json:"manager" yaml:"manager" dynamodbav:"manager"`
	Locale   string `json:"locale" yaml:"locale" dynamodbav:"locale"`
	TimeZone string `json:"time_zone" yaml:"time_zone" dynamodbav:"timeZone"`
	// TelegramChatID is the project's client group in Telegram; empty: the client's.
	TelegramChatID string `json:"telegram_chat_id,omitempty" yaml:"telegram_chat_id,omitempty" dynamodbav:"telegramChatId,omitempty"`
	// Billing is set for projects billed by stages.
	Billing Billing `json:"billing,omitempty" yaml:"billing,omitempty" dynamodbav:"billing,omitempty"`
	// Templates override the wording of this project's messages, per message kind, in the project's locale.
	Templates MessageTemplates `json:"templates,omitempty" yaml:"templates,omitempty" dynamodbav:"templates,omitempty"`
	// QuietHours and Coalesce override the agency's for this project (see Agency).
	QuietHours *QuietHours `json:"quiet_hours,omitempty" yaml:"quiet_hours,omitempty" dynamodbav:"quietHours,omitempty"`
	Coalesce   string      `json:"coalesce,omitempty" yaml:"coalesce,omitempty" dynamodbav:"coalesce,omitempty"`
	// Reports override the agency's reports for this project, field by field.
	Reports *Reports `json:"reports,omitempty" yaml:"reports,omitempty" dynamodbav:"reports,omitempty"`
	// Passport is what the client's dashboard says the project is for (goals, KPIs, contacts); optional.
	Passport *Passport `json:"passport,omitempty" yaml:"passport,omitempty" dynamodbav:"passport,omitempty"`
}

// ClientChat is the Telegram chat a project's client notices go to: the project's own, else its client's; empty
// when neither has one.
func (c Config) ClientChat(p Project) string {
	if p.TelegramChatID != "" {
		return p.TelegramChatID
	}
	client, _ := c.Client(p.ClientID)
	return client.TelegramChatID
}

// Binding ties one board (or pipeline) of one provider to a project. Webhooks arrive at
// /hooks/{provider}/{binding id}.
type Binding struct {
	ID        string `json:"id" yaml:"id" dynamodbav:"id"`
	ProjectID string `json:"project" yaml:"project" dynamodbav:"projectId"`
	Provider  string `json:"provider" yaml:"provider" dynamodbav:"provider"`
	// ExternalID is the board, space or pipeline id at the provider.
	ExternalID string `json:"external_id" yaml:"external_id" dynamodbav:"externalId"`
	// SecretParam is the name of the SSM parameter that holds the webhook secret.
	SecretParam string `json:"secret_param" yaml:"secret_param" dynamodbav:"secretParam"`
	// CallbackURL is the exact URL registered at the provider, when it signs over it (Trello). Empty means the
	// URL the request arrived at.
	CallbackURL string `json:"callback_url,omitempty" yaml:"callback_url,omitempty" dynamodbav:"callbackUrl,omitempty"`
	// StatusMap lists, per status, the provider's list/column ids or names that mean it.
	StatusMap map[TaskStatus][]string `json:"status_map,omitempty" yaml:"status_map,omitempty" dynamodbav:"statusMap,omitempty"`

	// CRM bindings (ProviderCRM) route deals instead: Deals says which deal is which project, StageMap which CRM
	// stages (ids, or names ignoring case) close which project stage (key: the stage id) or mean paid (key:
	// StagePaid).
	Deals    []DealRoute         `json:"deals,omitempty" yaml:"deals,omitempty" dynamodbav:"deals,omitempty"`
	StageMap map[string][]string `json:"stage_map,omitempty" yaml:"stage_map,omitempty" dynamodbav:"stageMap,omitempty"`
	// APIParam names the SSM parameter holding what reads the CRM back: Bitrix24's incoming-webhook URL
	// ("https://portal.bitrix24.ru/rest/1/abc123/"). Only CRMs whose hooks are thin need it.
	APIParam string `json:"api_param,omitempty" yaml:"api_param,omitempty" dynamodbav:"apiParam,omitempty"`
	// APIURL is the address of the account's API, for providers with one host per company (Kaiten:
	// "https://acme.kaiten.ru/api/latest"; Jira: "https://acme.atlassian.net"). Other providers may set it to
	// point read-back at a stand-in.
	APIURL string `json:"api_url,omitempty" yaml:"api_url,omitempty" dynamodbav:"apiUrl,omitempty"`
	// Markers say which comments give a task's reason and which titles make it a hypothesis; empty: the
	// defaults (DefaultReasonMarkers, DefaultHypothesisMarkers).
	Markers Markers `json:"markers,omitzero" yaml:"markers,omitempty" dynamodbav:"markers,omitempty"`

	// Metrics bindings (ProviderMetrics): Goals are the ad or analytics system's goal ids whose conversions count
	// as leads (Yandex.Metrika goals, Yandex.Direct conversion goals); Currency is the ad account's currency
	// (ISO 4217), which the figures it reports are in.
	Goals    []string `json:"goals,omitempty" yaml:"goals,omitempty" dynamodbav:"goals,omitempty"`
	Currency string   `json:"currency,omitempty" yaml:"currency,omitempty" dynamodbav:"currency,omitempty"`
}

// StatusOf maps a provider list (by id, or by name ignoring case) to a status. Unmapped lists are
// StatusUnknown.
func (b Binding) StatusOf(listID, listName string) TaskStatus {
	for _, s := range Statuses {
		for _, v := range b.StatusMap[s] {
			if (listID != "" && v == listID) || (listName != "" && strings.EqualFold(v, listName)) {
				return s
			}
		}
	}
	return StatusUnknown
}

// Takes says whether a delivery about any of names (a repository, a team, a board, a project at the provider)
// is for this binding: external_id names it, ignoring case. A binding without external_id takes every delivery,
// so one webhook of an organisation or workspace reaches only the binding it is meant for.
func (b Binding) Takes(names ...string) bool {
	if b.ExternalID == "" {
		return true
	}
	for _, n := range names {
		if n != "" && strings.EqualFold(n, b.ExternalID) {
			return true
		}
	}
	return false
}

// Project returns the project with the given id.
func (c Config) Project(id string) (Project, bool) {
	for _, p := range c.Projects {
		if p.ID == id {
			return p, true
		}
	}
	return Project{}, false
}

// Client returns the client with the given id.
func (c Config) Client(id string) (Client, bool) {
	for _, cl := range c.Clients {
		if cl.ID == id {
			return cl, true
		}
	}
	return Client{}, false
}

// Seller returns the seller with the given id.
func (c Config) Seller(id string) (Seller, bool) {
	for _, s := range c.Sellers {
		if s.ID == id {
			return s, true
		}
	}
	return Seller{}, false
}

// ProjectZone is the time zone a project lives in: its own, else the agency's, else UTC.
func (c Config) ProjectZone(p Project) *time.Location {
	return zone(p.TimeZone, c.Agency.TimeZone)
}

// SellerZone is the time zone a seller keeps its books in: its own, else the agency's, else UTC. Documents
// are dated and numbered in it.
func (c Config) SellerZone(s Seller) *time.Location {
	return zone(s.TimeZone, c.Agency.TimeZone)
}

func zone(names ...string) *time.Location {
	for _, name := range names {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// ProjectLocale is the locale a project speaks, LocaleRU or LocaleEN: its own, else the agency's (see
// Locale).
func (c Config) ProjectLocale(p Project) string {
	if p.Locale != "" {
		return Locale(p.Locale)
	}
	return Locale(c.Agency.Locale)
}

// Locale is the one rule that turns a locale as written ("ru", "ru-RU", "RU", "en-GB", "") into one
// Glassbox speaks: LocaleRU for Russian in any spelling, LocaleEN for anything else.
func Locale(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == LocaleRU || strings.HasPrefix(l, "ru-") || strings.HasPrefix(l, "ru_") {
		return LocaleRU
	}
	return LocaleEN
}

// Binding returns the binding of a provider with the given id.
func (c Config) Binding(provider, id string) (Binding, bool) {
	for _, b := range c.Bindings {
		if b.Provider == provider && b.ID == id {
			return b, true
		}
	}
	return Binding{}, false
}

// FieldError says which field of the configuration is wrong and why. Path is like
// "projects[1].manager.email"; Line is the line in the agency file when known.
type FieldError struct {
	Line int
	Path string
	Msg  string
	// TextLine is the line within the field's text that is wrong (a template's), counting from 1; 0 when the
	// whole field is. The agency file adds it to the field's line.
	TextLine int
}

func (e FieldError) Error() string {
	if e.TextLine > 0 && e.Line == 0 {
		return fmt.Sprintf("%s: template line %d: %s", e.Path, e.TextLine, e.Msg)
	}
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Path, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// ValidationErrors is every problem found in a configuration.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
