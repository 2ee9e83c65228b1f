// Package glassbox holds the domain of Glassbox: the agency's configuration, provider-neutral task events,
// task state, outgoing messages, and the small interfaces the domain needs from the outside world.
// It imports nothing of ours and nothing of AWS.
package glassbox

import (
	"fmt"
	"strings"
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
}

// Agency is the service agency that runs Glassbox.
type Agency struct {
	Name string `json:"name" yaml:"name" dynamodbav:"name"`
	// Sender is the verified address notices are sent from, e.g. "Studio <notify@studio.example>".
	Sender   string `json:"sender" yaml:"sender" dynamodbav:"sender"`
	Locale   string `json:"locale" yaml:"locale" dynamodbav:"locale"`
	TimeZone string `json:"time_zone" yaml:"time_zone" dynamodbav:"timeZone"`
}

// Person is someone a message can be addressed to.
type Person struct {
	Name  string `json:"name" yaml:"name" dynamodbav:"name"`
	Email string `json:"email" yaml:"email" dynamodbav:"email"`
}

// Client is a customer of the agency.
type Client struct {
	ID       string   `json:"id" yaml:"id" dynamodbav:"id"`
	Name     string   `json:"name" yaml:"name" dynamodbav:"name"`
	Contacts []Person `json:"contacts" yaml:"contacts" dynamodbav:"contacts"`
	// TelegramChatID is optional; notices also go there once Telegram delivery exists.
	TelegramChatID string `json:"telegram_chat_id,omitempty" yaml:"telegram_chat_id,omitempty" dynamodbav:"telegramChatId,omitempty"`
}

// Project is one piece of work the agency does for a client.
type Project struct {
	ID       string `json:"id" yaml:"id" dynamodbav:"id"`
	ClientID string `json:"client" yaml:"client" dynamodbav:"clientId"`
	Name     string `json:"name" yaml:"name" dynamodbav:"name"`
	Manager  Person `json:"manager" yaml:"manager" dynamodbav:"manager"`
	Locale   string `json:"locale" yaml:"locale" dynamodbav:"locale"`
	TimeZone string `json:"time_zone" yaml:"time_zone" dynamodbav:"timeZone"`
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
	StatusMap map[TaskStatus][]string `json:"status_map" yaml:"status_map" dynamodbav:"statusMap"`
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

// ProjectLocale is the locale a project speaks: its own, else the agency's.
func (c Config) ProjectLocale(p Project) string {
	if p.Locale != "" {
		return p.Locale
	}
	return c.Agency.Locale
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
}

func (e FieldError) Error() string {
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
