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
	channel := "email"
	if p.Message.ChannelOrEmail() == glassbox.ChannelTelegram {
		channel = "Telegram"
	}
	v := view{
		Greeting:  firstNames([]glassbox.Person{project.Manager}),
		Project:   project.Name,
		Manager:   project.Manager.Name,
		Subject:   p.Message.Subject,
		Recipient: glassbox.SuppressionKey(p.Recipient),
		Address:   glassbox.SuppressionKey(p.Recipient),
		Channel:   channel,
		Reason:    capitalized(undeliveredReason(locale, p)),
		Chat:      p.Recipient,
		NewChat:   p.MovedTo,
	}
	m, _, err := message(cfg, project, locale, cause, kind, glassbox.AudienceManager, []glassbox.Person{project.Manager},
		glassbox.Person{}, "", v)
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
		glassbox.CauseBlocked: {"бот не может писать в этот чат: его удалили или заблокировали, у него нет прав или id чата неверен",
			"the bot cannot write to the chat: it was removed or blocked, has no right to post, or the chat id is wrong"},
		glassbox.CauseRejected: {"Telegram не принял текст сообщения", "Telegram rejected the message text"},
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
