// Package faulttest is what the fault tests share (the SIGKILL test of glassbox dev in cmd/glassbox, the
// injected-failure test on DynamoDB Local in shared/pipeline): an agency with many distinct deliveries, the
// signed Trello and amoCRM deliveries themselves, the messages and documents they must cause, and the count of
// what was lost and what was doubled. It is test support, like storetest: nothing in a deployment imports it.
package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/amocrm"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

// The agency's bindings, secrets and addresses. Deliveries are signed with these secrets.
const (
	TrelloBinding   = "fault-board"
	AmoBinding      = "fault-amo"
	TrelloSecret    = "fault-trello-secret"
	AmoToken        = "fault-amo-token"
	LinkKeyParam    = "/glassbox/links/key"
	linkKey         = "fault-link-key-0123456789abcdef0123456789abcdef"
	trelloParam     = "/glassbox/trello/" + TrelloBinding
	amoParam        = "/glassbox/amocrm/" + AmoBinding
	trelloCallback  = "https://fault.glassbox.example/hooks/trello/" + TrelloBinding
	boardID         = "6640aa11bb22cc33dd44ff00"
	doneList        = "6640aa11bb22cc33dd44ff03"
	inProgressList  = "6640aa11bb22cc33dd44ff02"
	amoSubdomain    = "faultshop"
	senderDomain    = "pixel.example"
	trelloProjectID = "fault-site"
)

// Stage closes happen in November 2026, so every document falls in one numbering year whatever the day the
// test runs.
var occurredBase = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// Secrets are the agency's secrets by parameter name: the webhook secrets and the link-signing key.
func Secrets() map[string]string {
	return map[string]string{trelloParam: TrelloSecret, amoParam: AmoToken, LinkKeyParam: linkKey}
}

// Load is one run's deliveries and what they must cause.
type Load struct {
	// Agency is the configuration: one Trello board on one project, and an amoCRM binding routing one deal to
	// each of the billed projects (odd ones prepaid with three stages, even ones postpaid with two).
	Agency glassbox.Config
	// Deliveries are distinct: each Trello one moves its own card to Done, each amoCRM one moves a deal to a
	// stage that closes a project stage (stages s1 and s2 of every billed project).
	Deliveries []Delivery
}

// Delivery is one webhook request and what it must cause.
type Delivery struct {
	Name    string
	Request events.APIGatewayV2HTTPRequest
	// Messages are the ids of the messages it must cause (the part of Message-ID before the @).
	Messages []string
	// CloseID is the stage close it causes, or empty.
	CloseID string
}

// NewLoad builds an agency and its deliveries: cards Trello cards moved to Done, and two stage closes of each
// of projects billed projects.
func NewLoad(cards, projects int) (Load, error) {
	cfg, err := agencyfile.Parse([]byte(agencyYAML(projects)), providers.Catalog())
	if err != nil {
		return Load{}, fmt.Errorf("faulttest: agency: %w", err)
	}
	l := Load{Agency: cfg}
	for i := range cards {
		l.Deliveries = append(l.Deliveries, trelloDone(i))
	}
	for i := range projects {
		for _, stage := range []string{"s1", "s2"} {
			l.Deliveries = append(l.Deliveries, amoClose(i, stage))
		}
	}
	return l, nil
}

func projectID(i int) string { return fmt.Sprintf("billed-%02d", i) }
func dealID(i int) string    { return strconv.Itoa(7000 + i) }

// stageStatus is the amoCRM pipeline status that closes a project stage.
var stageStatus = map[string]string{"s1": "501", "s2": "502"}

func agencyYAML(projects int) string {
	var b strings.Builder
	b.WriteString(`agency:
  name: Студия «Пиксель»
  sender: Студия «Пиксель» <notify@` + senderDomain + `>
  locale: ru
  time_zone: Europe/Moscow
  quiet_hours: {off: true}
  coalesce: "off"
sellers:
  - id: pixel
    name: ООО «Пиксель»
    inn: "7701234560"
    kpp: "770101001"
    address: 125009, г. Москва, ул. Тверская, д. 7
    bank:
      name: ПАО Сбербанк
      bik: "044525225"
      corr_account: "30101810400000000225"
      account: "40702810938000012345"
    director:
      title: Генеральный директор
      name: Петров Иван Сергеевич
    accountant:
      name: Елена Соколова
      email: buh@` + senderDomain + `
    vat:
      rate: 22
      included: true
    number_prefix: ПК-
clients:
  - id: romashka
    name: ООО «Ромашка»
    contacts:
      - name: Анна Смирнова
        email: anna@romashka.example
    buyer:
      name: ООО «Ромашка»
      inn: "7709876545"
      kpp: "770901001"
      address: 119021, г. Москва, ул. Льва Толстого, д. 16
projects:
  - id: ` + trelloProjectID + `
    client: romashka
    name: Новый сайт
    manager:
      name: Мария Иванова
      email: maria@` + senderDomain + `
`)
	for i := range projects {
		mode, stages := "postpay", 2
		if i%2 == 1 {
			mode, stages = "prepay", 3
		}
		fmt.Fprintf(&b, `  - id: %s
    client: romashka
    name: Проект %d
    manager:
      name: Мария Иванова
      email: maria@%s
    billing:
      seller: pixel
      mode: %s
      currency: RUB
      stages:
`, projectID(i), i, senderDomain, mode)
		for s := 1; s <= stages; s++ {
			fmt.Fprintf(&b, "        - id: s%d\n          name: Этап %d\n          amount: %d 000\n", s, s, 10*s+i)
		}
	}
	b.WriteString(`bindings:
  - id: ` + TrelloBinding + `
    provider: trello
    project: ` + trelloProjectID + `
    external_id: ` + boardID + `
    secret_param: ` + trelloParam + `
    callback_url: ` + trelloCallback + `
    status_map:
      in_progress: [` + inProgressList + `]
      done: [` + doneList + `]
  - id: ` + AmoBinding + `
    provider: amocrm
    external_id: ` + amoSubdomain + `
    secret_param: ` + amoParam + `
    stage_map:
      s1: ["` + stageStatus["s1"] + `"]
      s2: ["` + stageStatus["s2"] + `"]
    deals:
`)
	for i := range projects {
		fmt.Fprintf(&b, "      - deal: %q\n        project: %s\n", dealID(i), projectID(i))
	}
	return b.String()
}

func request(provider, binding, rawQuery string, headers map[string]string, body []byte) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RawPath:        "/hooks/" + provider + "/" + binding,
		RawQueryString: rawQuery,
		Headers:        headers,
		QueryStringParameters: func() map[string]string {
			q, _ := url.ParseQuery(rawQuery)
			out := map[string]string{}
			for k := range q {
				out[k] = q.Get(k)
			}
			return out
		}(),
		PathParameters: map[string]string{"provider": provider, "binding": binding},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: "/hooks/" + provider + "/" + binding},
		},
		Body: string(body),
	}
}

func trelloDone(i int) Delivery {
	actionID := fmt.Sprintf("6650f1a2c3d4e5f6%08x", i)
	cardID := fmt.Sprintf("664e0b7d9a1c2b3d%08x", i)
	body := fmt.Sprintf(`{"action":{"id":%q,"type":"updateCard","date":%q,"data":{"card":{"id":%q,"name":"Задача %d","shortLink":"c%07d","idList":%q},"old":{"idList":%q},"board":{"id":%q},"listBefore":{"id":%q,"name":"In Progress"},"listAfter":{"id":%q,"name":"Done"}},"memberCreator":{"fullName":"Иван Петров","username":"ivan"}},"model":{"id":%q}}`,
		actionID, occurredBase.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), cardID, i, i, doneList, inProgressList, boardID,
		inProgressList, doneList, boardID)
	req := request(trello.Name, TrelloBinding, "", map[string]string{
		"content-type":     "application/json",
		"x-trello-webhook": trello.Sign(TrelloSecret, []byte(body), trelloCallback),
	}, []byte(body))
	eventID := glassbox.EventID(trello.Name, actionID)
	return Delivery{
		Name:     "trello card " + strconv.Itoa(i) + " done",
		Request:  req,
		Messages: []string{glassbox.MessageID(eventID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)},
	}
}

func amoClose(i int, stage string) Delivery {
	lead := url.Values{}
	set := func(k, v string) { lead.Set("leads[status][0]["+k+"]", v) }
	lead.Set("account[subdomain]", amoSubdomain)
	lead.Set("account[id]", "29638927")
	set("id", dealID(i))
	set("name", "Сделка "+dealID(i))
	set("status_id", stageStatus[stage])
	set("old_status_id", "500")
	set("pipeline_id", "4542166")
	set("updated_at", strconv.FormatInt(occurredBase.Add(time.Duration(i)*time.Minute).Unix()+stageOffset(stage), 10))
	body := lead.Encode()
	req := request(amocrm.Name, AmoBinding, amocrm.TokenParam+"="+AmoToken, map[string]string{
		"content-type": "application/x-www-form-urlencoded",
	}, []byte(body))
	closeID := glassbox.StageCloseID(projectID(i), stage)
	return Delivery{
		Name:    "amoCRM deal " + dealID(i) + " closes " + stage,
		Request: req,
		Messages: []string{
			glassbox.MessageID(closeID, glassbox.MessageStageClosed, glassbox.AudienceClient, glassbox.ChannelEmail),
			glassbox.MessageID(closeID, glassbox.MessageInvoiceIssued, glassbox.AudienceAccountant, glassbox.ChannelEmail),
		},
		CloseID: closeID,
	}
}

func stageOffset(stage string) int64 {
	if stage == "s2" {
		return 30
	}
	return 0
}

// MessageIDOf reads the Message-ID header of a raw message, without the angle brackets and the domain: the
// message's id in the store.
func MessageIDOf(raw []byte) (string, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	id := strings.Trim(m.Header.Get("Message-Id"), "<> ")
	if id == "" {
		return "", fmt.Errorf("no Message-ID header")
	}
	id, _, _ = strings.Cut(id, "@")
	return id, nil
}

// DocumentStore is what the count reads of the store.
type DocumentStore interface {
	StageClose(ctx context.Context, id string) (glassbox.StageClose, error)
	Document(ctx context.Context, id string) (glassbox.Document, error)
	DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Document, error)
}

// Count is what a run left behind, measured against what its deliveries must cause.
type Count struct {
	// Messages and Documents are how many distinct messages and documents the deliveries must cause.
	Messages, Documents int
	// Lost counts expected messages never sent and expected documents never issued.
	Lost int
	// Doubled counts distinct messages nobody expected, extra documents of a close, numbers used twice and
	// gaps in a numbering series.
	Doubled int
	// Resent counts sends of a message beyond its first (the same Message-ID handed to the mail system again).
	Resent int
	// Problems says what each lost or doubled item is, for the test's failure message.
	Problems []string
}

func (c *Count) problem(format string, args ...any) {
	if len(c.Problems) < 20 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// Check counts lost and doubled messages and documents. sends is how many times each message id was handed
// to the mail system; ds reads the documents issued.
func (l Load) Check(ctx context.Context, sends map[string]int, ds DocumentStore) (Count, error) {
	var c Count
	expected := map[string]string{}
	for _, d := range l.Deliveries {
		for _, id := range d.Messages {
			expected[id] = d.Name
		}
	}
	c.Messages = len(expected)
	for id, what := range expected {
		if sends[id] == 0 {
			c.Lost++
			c.problem("lost: message %s of %s", id, what)
		}
	}
	for id, n := range sends {
		if _, ok := expected[id]; !ok {
			c.Doubled++
			c.problem("doubled: unexpected message %s", id)
		}
		if n > 1 {
			c.Resent += n - 1
		}
	}

	wantDocs := map[string]bool{}
	for _, d := range l.Deliveries {
		if d.CloseID == "" {
			continue
		}
		for _, kind := range []glassbox.DocumentKind{glassbox.DocumentAct, glassbox.DocumentInvoice} {
			id := glassbox.DocumentID(d.CloseID, kind)
			wantDocs[id] = true
			c.Documents++
			if _, err := ds.Document(ctx, id); err != nil {
				c.Lost++
				c.problem("lost: %s of %s: %v", kind, d.CloseID, err)
			}
		}
		if _, err := ds.StageClose(ctx, d.CloseID); err != nil {
			c.problem("close %s not recorded: %v", d.CloseID, err)
		}
	}
	series := map[string][]int64{}
	for _, p := range l.Agency.Projects {
		docs, err := ds.DocumentsBetween(ctx, p.ID, time.Time{}, time.Now().AddDate(10, 0, 0))
		if err != nil {
			return c, fmt.Errorf("faulttest: documents of %s: %w", p.ID, err)
		}
		for _, d := range docs {
			if !wantDocs[d.ID] {
				c.Doubled++
				c.problem("doubled: unexpected document %s %s of %s", d.Kind, d.Number, d.CloseID)
			}
			series[d.Series] = append(series[d.Series], d.Seq)
		}
	}
	names := make([]string, 0, len(series))
	for s := range series {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		seqs := series[s]
		slices.Sort(seqs)
		next := int64(1)
		for i, n := range seqs {
			if i > 0 && n == seqs[i-1] {
				c.Doubled++
				c.problem("doubled: number %d of series %s used twice", n, s)
				continue
			}
			if n != next {
				c.Doubled++
				c.problem("gap: series %s goes from %d to %d", s, next-1, n)
			}
			next = n + 1
		}
	}
	return c, nil
}

// Seed is a fault run's seed: GLASSBOX_FAULT_SEED reproduces a run, else it is the time.
func Seed(t testing.TB) uint64 {
	if s := os.Getenv("GLASSBOX_FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GLASSBOX_FAULT_SEED=%q: %v", s, err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}
