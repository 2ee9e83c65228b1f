package notify

import (
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DeliveryProblem words the manager's report of a message that did not arrive (delivery_failed) or of a chat
// that moved (chat_migrated): one email to the project's manager, sent once per problem (its id derives from
// the message and the recipient concerned). ok is false when there is nobody to tell (the project is no
// longer configured, its manager has no email).
func DeliveryProblem(cfg glassbox.Config, p glassbox.DeliveryProblem) (_ glassbox.Message, ok bool, err error) {
	project, found := cfg.Project(p.Message.ProjectID)
	if !found || project.Manager.Email == "" {
		return glassbox.Message{}, false, nil
	}
	kind, cause := glassbox.MessageDeliveryFailed, "undelivered:"+p.Message.ID+":"+glassbox.SuppressionKey(p.Recipient)
	if p.MovedTo != "" {
		kind, cause = glassbox.MessageChatMigrated, "chat-moved:"+p.Recipient
	}
	locale := cfg.ProjectLocale(project)
	v := view{
		Greeting:  firstNames([]glassbox.Person{project.Manager}),
		Project:   project.Name,
		Manager:   project.Manager.Name,
		Title:     orDefault(p.Message.Subject, string(p.Message.Kind)),
		Recipient: glassbox.SuppressionKey(p.Recipient),
		Reason:    undeliveredReason(locale, p),
		NewChat:   p.MovedTo,
	}
	m, err := message(cfg, project, locale, cause, kind, glassbox.AudienceManager, []glassbox.Person{project.Manager},
		glassbox.Person{}, wordings[locale][kind], v)
	return m, err == nil, err
}

// undeliveredReason says what happened, as the report's opening sentence: «письмо клиенту не дошло: адрес не
// существует».
func undeliveredReason(locale string, p glassbox.DeliveryProblem) string {
	ru := locale == glassbox.LocaleRU
	toClient := p.Message.Audience == glassbox.AudienceClient
	var what string
	switch {
	case p.Message.ChannelOrEmail() == glassbox.ChannelTelegram && ru && toClient:
		what = "сообщение клиенту в Telegram не дошло"
	case p.Message.ChannelOrEmail() == glassbox.ChannelTelegram && ru:
		what = "сообщение в Telegram не дошло"
	case p.Message.ChannelOrEmail() == glassbox.ChannelTelegram && toClient:
		what = "a Telegram message to the client did not arrive"
	case p.Message.ChannelOrEmail() == glassbox.ChannelTelegram:
		what = "a Telegram message did not arrive"
	case ru && toClient:
		what = "письмо клиенту не дошло"
	case ru:
		what = "письмо не дошло"
	case toClient:
		what = "an email to the client did not arrive"
	default:
		what = "an email did not arrive"
	}
	why := map[glassbox.SuppressionCause][2]string{
		glassbox.CauseBounced:    {"адрес не существует", "the address does not exist"},
		glassbox.CauseComplained: {"получатель пометил письмо как спам", "the recipient marked it as spam"},
		glassbox.CauseBlocked:    {"бота удалили из чата или заблокировали", "the bot was removed from the chat or blocked"},
		glassbox.CauseRejected:   {"Telegram не принял текст сообщения", "Telegram rejected the message text"},
	}[p.Cause]
	if ru {
		return what + ": " + why[0]
	}
	return what + ": " + why[1]
}

func capitalized(s string) string {
	for i := range s {
		if i > 0 {
			return strings.ToUpper(s[:i]) + s[i:]
		}
	}
	return strings.ToUpper(s)
}

func init() {
	wordings[glassbox.LocaleRU][glassbox.MessageDeliveryFailed] = wording{
		subject: func(v view) string { return capitalized(v.Reason) + " — " + v.Project },
		before: []func(view) string{
			func(v view) string {
				return v.Greeting + ", это помощник агентства. " + capitalized(v.Reason) + "."
			},
			func(v view) string {
				return "Получатель: " + v.Recipient + ". Проект «" + v.Project + "», сообщение «" + v.Title + "»."
			},
			func(v view) string {
				return "Больше я туда не пишу. Исправьте контакт в файле агентства (glassbox apply), затем снимите блокировку: glassbox suppressions clear " + v.Recipient
			},
		},
	}
	wordings[glassbox.LocaleEN][glassbox.MessageDeliveryFailed] = wording{
		subject: func(v view) string { return capitalized(v.Reason) + " — " + v.Project },
		before: []func(view) string{
			func(v view) string {
				return v.Greeting + ", this is the agency's assistant. " + capitalized(v.Reason) + "."
			},
			func(v view) string {
				return "Recipient: " + v.Recipient + ". Project “" + v.Project + "”, message “" + v.Title + "”."
			},
			func(v view) string {
				return "Nothing more goes there. Fix the contact in the agency file (glassbox apply), then lift the block: glassbox suppressions clear " + v.Recipient
			},
		},
	}
	wordings[glassbox.LocaleRU][glassbox.MessageChatMigrated] = wording{
		subject: func(v view) string {
			return "Чат клиента в Telegram сменил номер — " + v.Project
		},
		before: []func(view) string{
			func(v view) string {
				return v.Greeting + ", это помощник агентства. Группа клиента в Telegram стала супергруппой и получила новый номер: " +
					v.NewChat + " (был " + v.Recipient + "). Сообщения проекта «" + v.Project + "» уже идут в новый чат."
			},
			func(v view) string {
				return "Замените telegram_chat_id " + v.Recipient + " на " + v.NewChat + " в файле агентства и выполните glassbox apply."
			},
		},
	}
	wordings[glassbox.LocaleEN][glassbox.MessageChatMigrated] = wording{
		subject: func(v view) string { return "The client's Telegram chat has a new id — " + v.Project },
		before: []func(view) string{
			func(v view) string {
				return v.Greeting + ", this is the agency's assistant. The client's Telegram group became a supergroup with a new id: " +
					v.NewChat + " (was " + v.Recipient + "). Messages of project “" + v.Project + "” already go to the new chat."
			},
			func(v view) string {
				return "Replace telegram_chat_id " + v.Recipient + " with " + v.NewChat + " in the agency file and run glassbox apply."
			},
		},
	}
}
