// Package storetest is the contract every glassbox.Store implementation passes: each documented behaviour of
// the interface, its sentinel errors, its time windows, and its behaviour under concurrent writers. An adapter's
// test calls Run with a constructor that returns a fresh, empty store.
package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Run runs the contract suite. newStore must return a new, empty store each time it is called; it is called
// once per subtest, from parallel subtests, and should register its own cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) glassbox.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s glassbox.Store)
	}{
		{"ConfigEmpty", testConfigEmpty},
		{"ConfigRoundTrip", testConfigRoundTrip},
		{"ConfigReplaceRemovesMissing", testConfigReplace},
		{"Binding", testBinding},
		{"EventRoundTrip", testEventRoundTrip},
		{"EventDuplicate", testEventDuplicate},
		{"EventsBetween", testEventsBetween},
		{"UnprocessedEvents", testUnprocessedEvents},
		{"MarkEventProcessedMissing", testMarkEventProcessedMissing},
		{"PostponeEvent", testPostponeEvent},
		{"Task", testTask},
		{"TaskVersioning", testTaskVersioning},
		{"Tasks", testTasks},
		{"ClaimMessage", testClaimMessage},
		{"ClaimHeld", testClaimHeld},
		{"ClaimTakeoverAfterLease", testClaimTakeover},
		{"ClaimAfterSent", testClaimAfterSent},
		{"MarkSentWrongToken", testMarkSentWrongToken},
		{"ReleaseMessage", testReleaseMessage},
		{"MessagesBetween", testMessagesBetween},
		{"ConcurrentAppendEvent", testConcurrentAppend},
		{"ConcurrentClaimMessage", testConcurrentClaim},
	}
	tests = append(tests, documentTests...)
	tests = append(tests, deliveryTests...)
	tests = append(tests, heldTests...)
	tests = append(tests, reportTests...)
	tests = append(tests, sealTests...)
	tests = append(tests, feedbackTests...)
	tests = append(tests, dashboardTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// opts compare domain values the way the contract means them: instants, not representations (a store returns
// UTC whatever zone it was given), and nil slices or maps equal to empty ones.
var opts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
}

// t0 has nanoseconds on purpose: stores must keep full precision.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

var moscow = time.FixedZone("MSK", 3*60*60)

func sampleConfig() glassbox.Config {
	return glassbox.Config{
		Agency: glassbox.Agency{Name: "Studio", Sender: "Studio <notify@studio.example>", Locale: glassbox.LocaleEN, TimeZone: "Europe/Moscow",
			PublicURL: "https://glassbox.studio.example", WorkingHours: glassbox.WorkingHours{From: 9, To: 19},
			Templates: map[string]glassbox.MessageTemplates{
				glassbox.LocaleRU: {glassbox.MessageTaskDone: {Subject: "Готово: {{title}}", Body: "{{greeting}}, готово.\n\n{{button \"Смотреть\"}}"}},
				glassbox.LocaleEN: {glassbox.MessageTasksDone: {Telegram: "<b>{{count}}</b> {{plural count \"task\" \"tasks\"}}"}},
			}},
		Clients: []glassbox.Client{
			{ID: "zeta", Name: "Zeta LLC", Contacts: []glassbox.Person{{Name: "Zoe", Email: "zoe@zeta.example"}}},
			{ID: "acme", Name: "Acme", Contacts: []glassbox.Person{
				{Name: "Ann", Email: "ann@acme.example"}, {Name: "Bob", Email: "bob@acme.example"},
			}, TelegramChatID: "-100123", Buyer: glassbox.Buyer{Name: "ООО «Акме»", INN: "7709876543", KPP: "770901001", Address: "Москва",
				Signer: glassbox.Signer{Name: "Смирнова А. П.", Title: "Директор"}}},
		},
		Projects: []glassbox.Project{
			{ID: "site", ClientID: "acme", Name: "Web site", Manager: glassbox.Person{Name: "Mia", Email: "mia@studio.example"}, Locale: glassbox.LocaleRU, TimeZone: "Europe/Moscow",
				Billing: glassbox.Billing{Seller: "px", Mode: glassbox.BillPrepay, Currency: "RUB", Contract: "Договор № 12",
					Stages: []glassbox.Stage{
						{ID: "design", Name: "Дизайн", Amount: 9000050, PaymentDays: 7, Start: "2026-12-01", End: "2026-12-20"},
						{ID: "code", Name: "Код", Amount: 15000000},
					}, ReminderDays: []int{2, 5}},
				Templates: glassbox.MessageTemplates{glassbox.MessageInvoiceReminder: {Subject: "Счёт {{invoice}}", HTML: "<p>{{amount}}</p>", Text: "{{amount}}"}}},
			{ID: "app", ClientID: "zeta", Name: "App", Manager: glassbox.Person{Name: "Max", Email: "max@studio.example"}},
		},
		Bindings: []glassbox.Binding{
			{ID: "b1", ProjectID: "site", Provider: "trello", ExternalID: "board-1", SecretParam: "/glassbox/trello/b1",
				CallbackURL: "https://hooks.example/hooks/trello/b1",
				StatusMap: map[glassbox.TaskStatus][]string{
					glassbox.StatusDone:    {"list-done", "Done"},
					glassbox.StatusBlocked: {"Blocked"},
				}},
			// The same id under another provider is a different binding.
			{ID: "b1", ProjectID: "app", Provider: "asana", ExternalID: "space-9", SecretParam: "/glassbox/asana/b1",
				StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Complete"}}},
			{ID: "crm", Provider: "bitrix24", ExternalID: "portal.bitrix24.ru", SecretParam: "/glassbox/bitrix24/crm", APIParam: "/glassbox/bitrix24/crm-api",
				Deals:    []glassbox.DealRoute{{DealID: "759", ProjectID: "site", StageMap: map[string][]string{"code": {"C1:WON"}}}},
				StageMap: map[string][]string{"design": {"PREPARATION"}, glassbox.StagePaid: {glassbox.StageWon}}},
		},
		Sellers: []glassbox.Seller{
			{ID: "px", Name: "ООО «Пиксель»", INN: "7701234567", KPP: "770101001", OGRN: "1187746000000", Address: "Москва",
				Bank:     glassbox.Bank{Name: "ПАО Сбербанк", BIC: "044525225", CorrAccount: "30101810400000000225", Account: "40702810938000012345"},
				Director: glassbox.Signer{Name: "Петров И. С.", Title: "Директор"}, ChiefAccountant: "Соколова Е. В.",
				Accountant: glassbox.Person{Name: "Елена", Email: "buh@studio.example"}, VAT: glassbox.VAT{Rate: "22", Included: true}, NumberPrefix: "ПК-",
				TimeZone: "Europe/Moscow"},
			{ID: "eu", Name: "Pixel OÜ", VATID: "EE102030405", Address: "Tallinn", Bank: glassbox.Bank{IBAN: "EE382200221020145685", SWIFT: "HABAEE2X"},
				Accountant: glassbox.Person{Name: "Elena", Email: "acc@studio.example"}, VAT: glassbox.VAT{Rate: "22", ReverseCharge: true}},
		},
	}
}

func testConfigEmpty(t *testing.T, s glassbox.Store) {
	if _, err := s.Config(t.Context()); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Config on an empty store: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Binding(t.Context(), "trello", "b1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Binding on an empty store: err = %v, want ErrNotFound", err)
	}
}

func testConfigRoundTrip(t *testing.T, s glassbox.Store) {
	want := sampleConfig()
	mustPutConfig(t, s, want)
	got, err := s.Config(t.Context())
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Config mismatch (-want +got):\n%s", diff)
	}
	// Applying the same configuration again changes nothing.
	mustPutConfig(t, s, want)
	got, err = s.Config(t.Context())
	if err != nil {
		t.Fatalf("Config after re-apply: %v", err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Config after re-apply mismatch (-want +got):\n%s", diff)
	}
}

func testConfigReplace(t *testing.T, s glassbox.Store) {
	mustPutConfig(t, s, sampleConfig())

	next := sampleConfig()
	next.Agency.Name = "Studio Two"
	next.Clients = next.Clients[1:] // drop zeta
	next.Clients[0].Contacts = next.Clients[0].Contacts[:1]
	next.Projects = []glassbox.Project{next.Projects[0]} // drop app
	next.Bindings = []glassbox.Binding{
		next.Bindings[0],
		{ID: "b2", ProjectID: "site", Provider: "trello", ExternalID: "board-2", SecretParam: "/glassbox/trello/b2",
			StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}},
	} // drop asana/b1, add trello/b2
	next.Bindings[0].StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Shipped"}}
	mustPutConfig(t, s, next)

	got, err := s.Config(t.Context())
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	if diff := cmp.Diff(next, got, opts); diff != "" {
		t.Errorf("Config after replace mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Binding(t.Context(), "asana", "b1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Binding(asana, b1) after it was removed: err = %v, want ErrNotFound", err)
	}
	b, err := s.Binding(t.Context(), "trello", "b1")
	if err != nil {
		t.Fatalf("Binding(trello, b1): %v", err)
	}
	if diff := cmp.Diff(next.Bindings[0], b, opts); diff != "" {
		t.Errorf("changed binding mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Binding(t.Context(), "trello", "b2"); err != nil {
		t.Errorf("Binding(trello, b2) added by the new config: %v", err)
	}
}

func testBinding(t *testing.T, s glassbox.Store) {
	c := sampleConfig()
	mustPutConfig(t, s, c)
	for _, tt := range []struct {
		name, provider, id string
		want               *glassbox.Binding
	}{
		{"OK", "trello", "b1", &c.Bindings[0]},
		{"SameIDOtherProvider", "asana", "b1", &c.Bindings[1]},
		{"ErrNotFoundID", "trello", "nope", nil},
		{"ErrNotFoundProvider", "jira", "b1", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Binding(t.Context(), tt.provider, tt.id)
			if tt.want == nil {
				if !errors.Is(err, glassbox.ErrNotFound) {
					t.Fatalf("Binding(%s, %s): err = %v, want ErrNotFound", tt.provider, tt.id, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Binding(%s, %s): %v", tt.provider, tt.id, err)
			}
			if diff := cmp.Diff(*tt.want, got, opts); diff != "" {
				t.Errorf("Binding mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func event(id, project string, at time.Time) glassbox.Event {
	return glassbox.Event{
		ID:              glassbox.EventID("trello", id),
		ProjectID:       project,
		BindingID:       "b1",
		Provider:        "trello",
		ProviderEventID: id,
		Kind:            glassbox.EventTaskMoved,
		ProviderType:    "updateCard",
		TaskID:          "card-" + id,
		Title:           "Task " + id,
		URL:             "https://trello.example/c/" + id,
		ListID:          "list-done",
		ListName:        "Done",
		Status:          glassbox.StatusDone,
		PrevListID:      "list-doing",
		PrevListName:    "Doing",
		PrevStatus:      glassbox.StatusInProgress,
		Actor:           "Mia",
		OccurredAt:      at,
		ReceivedAt:      at.Add(1500 * time.Millisecond),
	}
}

func testEventRoundTrip(t *testing.T, s glassbox.Store) {
	// Given in another zone, read back as the same instant in UTC.
	e := event("a1", "site", t0.In(moscow))
	e.Link = "https://figma.example/file/1"
	mustAppend(t, s, e)

	got, err := s.Event(t.Context(), e.ID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if diff := cmp.Diff(e, got, opts); diff != "" {
		t.Errorf("Event mismatch (-want +got):\n%s", diff)
	}
	if got.OccurredAt.Location() != time.UTC || got.ReceivedAt.Location() != time.UTC {
		t.Errorf("Event times in %v/%v, want UTC", got.OccurredAt.Location(), got.ReceivedAt.Location())
	}
	// Optional fields left empty stay empty.
	bare := glassbox.Event{ID: "trello:bare", ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskCreated, OccurredAt: t0}
	mustAppend(t, s, bare)
	got, err = s.Event(t.Context(), bare.ID)
	if err != nil {
		t.Fatalf("Event(bare): %v", err)
	}
	if diff := cmp.Diff(bare, got, opts); diff != "" {
		t.Errorf("Event(bare) mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Event(t.Context(), "trello:missing"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Event(missing): err = %v, want ErrNotFound", err)
	}
}

func testEventDuplicate(t *testing.T, s glassbox.Store) {
	first := event("d1", "site", t0)
	mustAppend(t, s, first)

	second := first
	second.Title = "Renamed"
	second.ProjectID = "app"
	second.OccurredAt = t0.Add(time.Hour)
	second.ReceivedAt = t0.Add(2 * time.Hour)
	if err := s.AppendEvent(t.Context(), second); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("second AppendEvent: err = %v, want ErrDuplicate", err)
	}
	got, err := s.Event(t.Context(), first.ID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if diff := cmp.Diff(first, got, opts); diff != "" {
		t.Errorf("duplicate append changed the event (-first +stored):\n%s", diff)
	}
	// Nor is it indexed a second time, under its new project or time.
	evs := mustEvents(t, s, "site", t0.Add(-time.Hour), t0.Add(3*time.Hour))
	if got, want := eventIDs(evs), []string{first.ID}; !slices.Equal(got, want) {
		t.Errorf("EventsBetween(site) = %v, want %v", got, want)
	}
	if evs := mustEvents(t, s, "app", t0.Add(-time.Hour), t0.Add(3*time.Hour)); len(evs) != 0 {
		t.Errorf("EventsBetween(app) = %v, want none", eventIDs(evs))
	}
}

func testEventsBetween(t *testing.T, s glassbox.Store) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a whole second: no fraction digits at all
	to := from.Add(24 * time.Hour)
	at := map[string]time.Time{
		"before":     from.Add(-time.Nanosecond),
		"from":       from,
		"from+1ns":   from.Add(time.Nanosecond),
		"from+10ns":  from.Add(10 * time.Nanosecond),
		"from+500ms": from.Add(500 * time.Millisecond),
		"from+1s":    from.Add(time.Second),
		// 11:00 in Moscow is 08:00 UTC: earlier than 10:00 UTC although its wall clock reads later.
		"msk-0800": time.Date(2026, 3, 2, 11, 0, 0, 0, moscow),
		"utc-1000": time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		"to-1ns":   to.Add(-time.Nanosecond),
		"to":       to,
		"after":    to.Add(time.Nanosecond),
	}
	// Appended newest first, so "oldest first" cannot come from insertion order.
	names := []string{"after", "to", "to-1ns", "utc-1000", "msk-0800", "from+1s", "from+500ms", "from+10ns", "from+1ns", "from", "before"}
	for _, n := range names {
		mustAppend(t, s, event(n, "site", at[n]))
	}
	mustAppend(t, s, event("other-project", "app", from.Add(time.Hour)))
	mustAppend(t, s, event("prefix-project", "site2", from.Add(time.Hour)))

	ids := func(names ...string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = glassbox.EventID("trello", n)
		}
		return out
	}
	for _, tt := range []struct {
		name     string
		project  string
		from, to time.Time
		want     []string
	}{
		{"Day", "site", from, to,
			ids("from", "from+1ns", "from+10ns", "from+500ms", "from+1s", "msk-0800", "utc-1000", "to-1ns")},
		{"FromInclusiveToExclusive", "site", from.Add(time.Nanosecond), to.Add(-time.Nanosecond),
			ids("from+1ns", "from+10ns", "from+500ms", "from+1s", "msk-0800", "utc-1000")},
		{"NanosecondWindow", "site", from.Add(time.Nanosecond), from.Add(10 * time.Nanosecond), ids("from+1ns")},
		{"BoundsInOtherZone", "site", time.Date(2026, 3, 2, 11, 0, 0, 0, moscow), time.Date(2026, 3, 2, 13, 0, 0, 1, moscow),
			ids("msk-0800", "utc-1000")},
		{"Wide", "site", from.Add(-time.Hour), to.Add(time.Hour),
			ids("before", "from", "from+1ns", "from+10ns", "from+500ms", "from+1s", "msk-0800", "utc-1000", "to-1ns", "to", "after")},
		{"EmptyWindow", "site", from, from, nil},
		{"ReversedWindow", "site", to, from, nil},
		{"OtherProject", "app", from, to, ids("other-project")},
		{"UnknownProject", "nope", from, to, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evs := mustEvents(t, s, tt.project, tt.from, tt.to)
			if diff := cmp.Diff(tt.want, eventIDs(evs), opts); diff != "" {
				t.Errorf("EventsBetween ids (-want +got):\n%s", diff)
			}
			for _, e := range evs {
				if e.ProjectID != tt.project {
					t.Errorf("event %s has project %q, want %q", e.ID, e.ProjectID, tt.project)
				}
			}
		})
	}
	// Whole events come back, not just ids.
	evs := mustEvents(t, s, "site", to.Add(-time.Nanosecond), to)
	if len(evs) != 1 {
		t.Fatalf("EventsBetween(to-1ns, to) = %v, want one event", eventIDs(evs))
	}
	if diff := cmp.Diff(event("to-1ns", "site", at["to-1ns"]), evs[0], opts); diff != "" {
		t.Errorf("listed event mismatch (-want +got):\n%s", diff)
	}
}

// testUnprocessedEvents: an appended event is unprocessed until marked processed; the list is by receipt time,
// strictly before the bound, earliest first, and bounded by limit; a duplicate append does not mark a processed
// event again; marking twice is harmless.
func testUnprocessedEvents(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"u3", "u1", "u2"} {
		e := event(id, "site", base.Add(-time.Hour)) // the provider's time says nothing of receipt order
		e.ReceivedAt = base.Add(time.Duration([]int{3, 1, 2}[i]) * time.Minute)
		mustAppend(t, s, e)
	}
	unprocessed := func(before time.Time, limit int) []string {
		t.Helper()
		evs, err := s.UnprocessedEvents(ctx, before, limit)
		if err != nil {
			t.Fatalf("UnprocessedEvents: %v", err)
		}
		return eventIDs(evs)
	}
	if got, want := unprocessed(base.Add(time.Hour), 10), []string{"trello:u1", "trello:u2", "trello:u3"}; !slices.Equal(got, want) {
		t.Fatalf("unprocessed = %v, want %v", got, want)
	}
	if got, want := unprocessed(base.Add(3*time.Minute), 10), []string{"trello:u1", "trello:u2"}; !slices.Equal(got, want) {
		t.Errorf("received before %s = %v, want %v (strictly before)", base.Add(3*time.Minute), got, want)
	}
	if got, want := unprocessed(base.Add(time.Hour), 2), []string{"trello:u1", "trello:u2"}; !slices.Equal(got, want) {
		t.Errorf("limit 2 = %v, want %v", got, want)
	}
	for range 2 {
		if err := s.MarkEventProcessed(ctx, "trello:u2"); err != nil {
			t.Fatalf("MarkEventProcessed: %v", err)
		}
	}
	again := event("u2", "site", base)
	again.ReceivedAt = base.Add(9 * time.Minute)
	if err := s.AppendEvent(ctx, again); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("append again = %v, want ErrDuplicate", err)
	}
	if got, want := unprocessed(base.Add(time.Hour), 10), []string{"trello:u1", "trello:u3"}; !slices.Equal(got, want) {
		t.Errorf("after marking u2 processed and a redelivery = %v, want %v", got, want)
	}
	if _, err := s.Event(ctx, "trello:u2"); err != nil {
		t.Errorf("event after marking it processed: %v; want it kept", err)
	}
}

// testPostponeEvent: a postponed event moves behind later ones and carries its attempts; postponing an event
// processed meanwhile, or a missing one, does not mark it again.
func testPostponeEvent(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"p1", "p2", "p3"} {
		e := event(id, "site", base)
		e.ReceivedAt = base.Add(time.Duration(i) * time.Minute)
		mustAppend(t, s, e)
	}
	if err := s.PostponeEvent(ctx, "trello:p1", base.Add(time.Hour), 2); err != nil {
		t.Fatalf("PostponeEvent: %v", err)
	}
	list := func(before time.Time) []glassbox.Event {
		t.Helper()
		evs, err := s.UnprocessedEvents(ctx, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	if got, want := eventIDs(list(base.Add(30*time.Minute))), []string{"trello:p2", "trello:p3"}; !slices.Equal(got, want) {
		t.Errorf("before its new turn = %v, want %v", got, want)
	}
	all := list(base.Add(2 * time.Hour))
	if got, want := eventIDs(all), []string{"trello:p2", "trello:p3", "trello:p1"}; !slices.Equal(got, want) {
		t.Fatalf("after its turn = %v, want %v (postponed last)", got, want)
	}
	if p := all[2]; p.SweepAttempts != 2 || !p.SweepAfter.Equal(base.Add(time.Hour)) {
		t.Errorf("postponed event attempts %d, after %v; want 2, %v", p.SweepAttempts, p.SweepAfter, base.Add(time.Hour))
	}
	if err := s.MarkEventProcessed(ctx, "trello:p1"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"trello:p1", "trello:missing"} {
		if err := s.PostponeEvent(ctx, id, base.Add(3*time.Hour), 3); err != nil {
			t.Errorf("PostponeEvent(%s) = %v, want nil", id, err)
		}
	}
	if got, want := eventIDs(list(base.Add(24*time.Hour))), []string{"trello:p2", "trello:p3"}; !slices.Equal(got, want) {
		t.Errorf("after postponing a processed and a missing event = %v, want %v", got, want)
	}
}

func testMarkEventProcessedMissing(t *testing.T, s glassbox.Store) {
	if err := s.MarkEventProcessed(t.Context(), "trello:nope"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("MarkEventProcessed of a missing event = %v, want ErrNotFound", err)
	}
	evs, err := s.UnprocessedEvents(t.Context(), time.Now().Add(time.Hour), 10)
	if err != nil || len(evs) != 0 {
		t.Errorf("UnprocessedEvents after marking a missing event = %v, %v; want none (nothing created)", evs, err)
	}
}

func task(project, provider, id string, version int64) glassbox.Task {
	return glassbox.Task{
		ProjectID:   project,
		Provider:    provider,
		TaskID:      id,
		Title:       "Task " + id,
		URL:         "https://" + provider + ".example/" + id,
		Link:        "https://figma.example/" + id,
		ListID:      "list-doing",
		ListName:    "Doing",
		Status:      glassbox.StatusInProgress,
		Actor:       "Mia",
		CreatedAt:   t0.In(moscow),
		LastEventAt: t0.Add(time.Minute),
		LastEventID: provider + ":" + id + "-e1",
		Version:     version,
	}
}

func testTask(t *testing.T, s glassbox.Store) {
	if _, err := s.Task(t.Context(), "site", "trello", "c1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Task on an empty store: err = %v, want ErrNotFound", err)
	}
	want := task("site", "trello", "c1", 1)
	mustPutTask(t, s, want)
	got, err := s.Task(t.Context(), "site", "trello", "c1")
	if err != nil {
		t.Fatalf("Task: %v", err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Task mismatch (-want +got):\n%s", diff)
	}
	for _, k := range [][3]string{{"site", "asana", "c1"}, {"app", "trello", "c1"}, {"site", "trello", "c2"}} {
		if _, err := s.Task(t.Context(), k[0], k[1], k[2]); !errors.Is(err, glassbox.ErrNotFound) {
			t.Errorf("Task%v: err = %v, want ErrNotFound", k, err)
		}
	}

	// Done, with DoneAt set, then reopened with DoneAt cleared.
	done := got
	done.Status, done.ListName, done.DoneAt, done.Version = glassbox.StatusDone, "Done", t0.Add(time.Hour), 2
	mustPutTask(t, s, done)
	reopened := done
	reopened.Status, reopened.ListName, reopened.DoneAt, reopened.Version = glassbox.StatusTodo, "Todo", time.Time{}, 3
	mustPutTask(t, s, reopened)
	got, err = s.Task(t.Context(), "site", "trello", "c1")
	if err != nil {
		t.Fatalf("Task: %v", err)
	}
	if diff := cmp.Diff(reopened, got, opts); diff != "" {
		t.Errorf("Task after two updates mismatch (-want +got):\n%s", diff)
	}
}

func testTaskVersioning(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for _, v := range []int64{0, 2, -1} {
		if err := s.PutTask(ctx, task("site", "trello", "c1", v)); !errors.Is(err, glassbox.ErrConflict) {
			t.Errorf("PutTask(version %d) of a new task: err = %v, want ErrConflict", v, err)
		}
	}
	if _, err := s.Task(ctx, "site", "trello", "c1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("rejected writes created the task: err = %v, want ErrNotFound", err)
	}

	v1 := task("site", "trello", "c1", 1)
	mustPutTask(t, s, v1)
	stale := v1
	stale.Title = "lost update"
	if err := s.PutTask(ctx, stale); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("PutTask(version 1) over version 1: err = %v, want ErrConflict", err)
	}
	v2 := v1
	v2.Title, v2.Version = "second", 2
	mustPutTask(t, s, v2)
	for _, tt := range []struct {
		name    string
		version int64
	}{{"Stale", 2}, {"Older", 1}, {"Skipped", 4}, {"Zero", 0}} {
		t.Run(tt.name, func(t *testing.T) {
			bad := v2
			bad.Title, bad.Version = "lost update", tt.version
			if err := s.PutTask(ctx, bad); !errors.Is(err, glassbox.ErrConflict) {
				t.Errorf("PutTask(version %d) over version 2: err = %v, want ErrConflict", tt.version, err)
			}
		})
	}
	got, err := s.Task(ctx, "site", "trello", "c1")
	if err != nil {
		t.Fatalf("Task: %v", err)
	}
	if diff := cmp.Diff(v2, got, opts); diff != "" {
		t.Errorf("rejected writes changed the task (-want +got):\n%s", diff)
	}
}

func testTasks(t *testing.T, s glassbox.Store) {
	if ts, err := s.Tasks(t.Context(), "site"); err != nil || len(ts) != 0 {
		t.Fatalf("Tasks on an empty store = %v, %v; want none, nil", ts, err)
	}
	want := []glassbox.Task{
		task("site", "trello", "c1", 1),
		task("site", "trello", "c2", 1),
		task("site", "asana", "c1", 1),
	}
	for _, tk := range want {
		mustPutTask(t, s, tk)
	}
	mustPutTask(t, s, task("app", "trello", "c9", 1))
	mustPutTask(t, s, task("site2", "trello", "c8", 1)) // a project id with "site" as prefix

	got, err := s.Tasks(t.Context(), "site")
	if err != nil {
		t.Fatalf("Tasks: %v", err)
	}
	// The contract promises no order.
	byKey := cmpopts.SortSlices(func(a, b glassbox.Task) bool {
		return a.Provider+"/"+a.TaskID < b.Provider+"/"+b.TaskID
	})
	if diff := cmp.Diff(want, got, opts, byKey); diff != "" {
		t.Errorf("Tasks(site) mismatch (-want +got):\n%s", diff)
	}
	if got, err := s.Tasks(t.Context(), "nope"); err != nil || len(got) != 0 {
		t.Errorf("Tasks(nope) = %v, %v; want none, nil", got, err)
	}
}

const lease = 5 * time.Minute

func message(id, project, token string, at time.Time) glassbox.Message {
	return glassbox.Message{
		ID:         id,
		ProjectID:  project,
		EventID:    "trello:" + id,
		Kind:       glassbox.MessageTaskDone,
		Audience:   glassbox.AudienceClient,
		From:       glassbox.Person{Name: "Studio", Email: "notify@studio.example"},
		ReplyTo:    glassbox.Person{Name: "Mia", Email: "mia@studio.example"},
		To:         []glassbox.Person{{Name: "Ann", Email: "ann@acme.example"}, {Name: "Bob", Email: "bob@acme.example"}},
		Subject:    "Done: " + id,
		Text:       "Task " + id + " is done.\n",
		HTML:       "<p>Task " + id + " is done.</p>",
		State:      glassbox.MessageClaimed,
		ClaimToken: token,
		ClaimedAt:  at,
	}
}

func testClaimMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if _, err := s.Message(ctx, "m1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Message on an empty store: err = %v, want ErrNotFound", err)
	}
	m := message("m1", "site", "tok-a", t0.In(moscow))
	if err := s.ClaimMessage(ctx, m, lease); err != nil {
		t.Fatalf("ClaimMessage of a new message: %v", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if diff := cmp.Diff(m, got, opts); diff != "" {
		t.Errorf("claimed Message mismatch (-want +got):\n%s", diff)
	}
	if got.ClaimedAt.Location() != time.UTC {
		t.Errorf("ClaimedAt in %v, want UTC", got.ClaimedAt.Location())
	}

	sentAt := t0.Add(2 * time.Second)
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", sentAt, "ses-0001"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	got, err = s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	want := m
	want.State, want.SentAt, want.ProviderID = glassbox.MessageSent, sentAt, "ses-0001"
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("sent Message mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Message(ctx, "m2"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Message(m2): err = %v, want ErrNotFound", err)
	}
}

func testClaimHeld(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	for _, tt := range []struct {
		name  string
		token string
		at    time.Time
	}{
		{"OtherTokenSameTime", "tok-b", t0},
		{"OtherTokenWithinLease", "tok-b", t0.Add(lease / 2)},
		{"OtherTokenAtLease", "tok-b", t0.Add(lease)}, // not older than the lease yet
		{"SameToken", "tok-a", t0.Add(time.Second)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ClaimMessage(ctx, message("m1", "site", tt.token, tt.at), lease)
			if !errors.Is(err, glassbox.ErrClaimHeld) {
				t.Errorf("ClaimMessage: err = %v, want ErrClaimHeld", err)
			}
		})
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if got.ClaimToken != "tok-a" || !got.ClaimedAt.Equal(t0) || got.State != glassbox.MessageClaimed {
		t.Errorf("after refused claims: token %q at %v state %q; want tok-a at %v claimed", got.ClaimToken, got.ClaimedAt, got.State, t0)
	}
}

func testClaimTakeover(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	// One nanosecond past the lease: the first worker is presumed dead.
	next := message("m1", "site", "tok-b", t0.Add(lease+time.Nanosecond))
	if err := s.ClaimMessage(ctx, next, lease); err != nil {
		t.Fatalf("ClaimMessage after the lease: %v", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if diff := cmp.Diff(next, got, opts); diff != "" {
		t.Errorf("taken-over Message mismatch (-want +got):\n%s", diff)
	}
	// The dead worker's token no longer holds the claim.
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0.Add(lease), "late"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkMessageSent with the old token: err = %v, want ErrConflict", err)
	}
	if err := s.ReleaseMessage(ctx, "m1", "tok-a"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("ReleaseMessage with the old token: err = %v, want ErrConflict", err)
	}
	if err := s.MarkMessageSent(ctx, "m1", "tok-b", t0.Add(lease+time.Second), "ses-2"); err != nil {
		t.Errorf("MarkMessageSent with the new token: %v", err)
	}
}

func testClaimAfterSent(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0.Add(time.Second), "ses-1"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	for _, tt := range []struct {
		name  string
		token string
		at    time.Time
	}{
		{"WithinLease", "tok-b", t0.Add(time.Second)},
		{"AfterLease", "tok-b", t0.Add(10 * lease)},
		{"SameToken", "tok-a", t0.Add(10 * lease)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.ClaimMessage(ctx, message("m1", "site", tt.token, tt.at), lease); !errors.Is(err, glassbox.ErrAlreadySent) {
				t.Errorf("ClaimMessage of a sent message: err = %v, want ErrAlreadySent", err)
			}
		})
	}
	if err := s.ReleaseMessage(ctx, "m1", "tok-a"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("ReleaseMessage of a sent message: err = %v, want ErrConflict", err)
	}
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0.Add(time.Minute), "ses-again"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkMessageSent twice: err = %v, want ErrConflict", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if got.State != glassbox.MessageSent || got.ProviderID != "ses-1" || !got.SentAt.Equal(t0.Add(time.Second)) {
		t.Errorf("sent message changed: state %q provider id %q sent at %v", got.State, got.ProviderID, got.SentAt)
	}
}

func testMarkSentWrongToken(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if err := s.MarkMessageSent(ctx, "missing", "tok-a", t0, "x"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkMessageSent of a missing message: err = %v, want ErrConflict", err)
	}
	m := message("m1", "site", "tok-a", t0)
	mustClaim(t, s, m)
	if err := s.MarkMessageSent(ctx, "m1", "tok-b", t0.Add(time.Second), "x"); !errors.Is(err, glassbox.ErrConflict) {
		t.Fatalf("MarkMessageSent with a wrong token: err = %v, want ErrConflict", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if diff := cmp.Diff(m, got, opts); diff != "" {
		t.Errorf("refused MarkMessageSent changed the message (-want +got):\n%s", diff)
	}
}

func testReleaseMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if err := s.ReleaseMessage(ctx, "missing", "tok-a"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("ReleaseMessage of a missing message: err = %v, want ErrConflict", err)
	}
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.ReleaseMessage(ctx, "m1", "tok-b"); !errors.Is(err, glassbox.ErrConflict) {
		t.Fatalf("ReleaseMessage with a wrong token: err = %v, want ErrConflict", err)
	}
	if err := s.ClaimMessage(ctx, message("m1", "site", "tok-b", t0.Add(time.Second)), lease); !errors.Is(err, glassbox.ErrClaimHeld) {
		t.Fatalf("ClaimMessage after a refused release: err = %v, want ErrClaimHeld", err)
	}
	if err := s.ReleaseMessage(ctx, "m1", "tok-a"); err != nil {
		t.Fatalf("ReleaseMessage: %v", err)
	}
	// Released: a retry claims it at once, well within the lease.
	retry := message("m1", "site", "tok-b", t0.Add(time.Second))
	if err := s.ClaimMessage(ctx, retry, lease); err != nil {
		t.Fatalf("ClaimMessage after release: %v", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if diff := cmp.Diff(retry, got, opts); diff != "" {
		t.Errorf("re-claimed Message mismatch (-want +got):\n%s", diff)
	}
	if err := s.MarkMessageSent(ctx, "m1", "tok-b", t0.Add(2*time.Second), "ses-1"); err != nil {
		t.Errorf("MarkMessageSent after re-claim: %v", err)
	}
}

func testMessagesBetween(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	claims := []glassbox.Message{
		message("after", "site", "t", to),
		message("last", "site", "t", to.Add(-time.Nanosecond)),
		message("msk", "site", "t", time.Date(2026, 3, 2, 11, 0, 0, 0, moscow)), // 08:00 UTC
		message("utc", "site", "t", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)),
		message("half", "site", "t", from.Add(500*time.Millisecond)),
		message("first", "site", "t", from),
		message("before", "site", "t", from.Add(-time.Nanosecond)),
		message("other", "app", "t", from.Add(time.Hour)),
		message("moved", "site", "t", from.Add(-2*lease)),
	}
	for _, m := range claims {
		mustClaim(t, s, m)
	}
	if err := s.MarkMessageSent(ctx, "utc", "t", from.Add(11*time.Hour), "ses-utc"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	// A takeover moves the message to its new claim time.
	moved := message("moved", "site", "t2", from.Add(12*time.Hour))
	if err := s.ClaimMessage(ctx, moved, lease); err != nil {
		t.Fatalf("ClaimMessage takeover: %v", err)
	}

	for _, tt := range []struct {
		name     string
		project  string
		from, to time.Time
		want     []string
	}{
		{"Day", "site", from, to, []string{"first", "half", "msk", "utc", "moved", "last"}},
		{"BeforeTakeover", "site", from.Add(-3 * lease), from, []string{"before"}},
		{"NanosecondWindow", "site", to.Add(-time.Nanosecond), to, []string{"last"}},
		{"EmptyWindow", "site", from, from, nil},
		{"OtherProject", "app", from, to, []string{"other"}},
		{"UnknownProject", "nope", from, to, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := s.MessagesBetween(ctx, tt.project, tt.from, tt.to)
			if err != nil {
				t.Fatalf("MessagesBetween: %v", err)
			}
			got := make([]string, len(ms))
			for i, m := range ms {
				got[i] = m.ID
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("MessagesBetween ids (-want +got):\n%s", diff)
			}
		})
	}
	ms, err := s.MessagesBetween(ctx, "site", from.Add(10*time.Hour), from.Add(10*time.Hour+time.Nanosecond))
	if err != nil {
		t.Fatalf("MessagesBetween: %v", err)
	}
	want := message("utc", "site", "t", from.Add(10*time.Hour))
	want.State, want.SentAt, want.ProviderID = glassbox.MessageSent, from.Add(11*time.Hour), "ses-utc"
	if diff := cmp.Diff([]glassbox.Message{want}, ms, opts); diff != "" {
		t.Errorf("listed messages mismatch (-want +got):\n%s", diff)
	}
}

func testConcurrentAppend(t *testing.T, s glassbox.Store) {
	const n = 20
	e := event("race", "site", t0)
	errs := concurrently(n, func(i int) error {
		ei := e
		ei.Title = fmt.Sprintf("writer %d", i)
		return s.AppendEvent(t.Context(), ei)
	})
	winner := oneWinner(t, errs, "concurrent AppendEvent")
	got, err := s.Event(t.Context(), e.ID)
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if want := fmt.Sprintf("writer %d", winner); got.Title != want {
		t.Errorf("stored event title %q, want the winner's %q", got.Title, want)
	}
	if evs := mustEvents(t, s, "site", t0, t0.Add(time.Second)); len(evs) != 1 {
		t.Errorf("EventsBetween lists %d events, want 1", len(evs))
	}
}

func testConcurrentClaim(t *testing.T, s glassbox.Store) {
	const n = 10
	errs := concurrently(n, func(i int) error {
		return s.ClaimMessage(t.Context(), message("race", "site", fmt.Sprintf("tok-%d", i), t0), lease)
	})
	var ok, held int
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			winner = i
		case errors.Is(err, glassbox.ErrClaimHeld):
			held++
		default:
			t.Errorf("ClaimMessage #%d: unexpected error %v", i, err)
		}
	}
	if ok != 1 || held != n-1 {
		t.Fatalf("concurrent ClaimMessage: %d succeeded, %d ErrClaimHeld; want 1 and %d", ok, held, n-1)
	}
	got, err := s.Message(t.Context(), "race")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if want := fmt.Sprintf("tok-%d", winner); got.ClaimToken != want {
		t.Errorf("claim held by %q, want the winner %q", got.ClaimToken, want)
	}
}

// concurrently runs f(0..n-1) in n goroutines released at the same moment and returns their errors.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one of concurrent writes of the same item succeeded and every other got
// ErrDuplicate, and returns the winner's index.
func oneWinner(t *testing.T, errs []error, what string) int {
	t.Helper()
	var ok, dup int
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			winner = i
		case errors.Is(err, glassbox.ErrDuplicate):
			dup++
		default:
			t.Errorf("%s #%d: unexpected error %v", what, i, err)
		}
	}
	if ok != 1 || dup != len(errs)-1 {
		t.Fatalf("%s: %d succeeded, %d ErrDuplicate; want 1 and %d", what, ok, dup, len(errs)-1)
	}
	return winner
}

func mustPutConfig(t *testing.T, s glassbox.Store, c glassbox.Config) {
	t.Helper()
	if err := s.PutConfig(t.Context(), c); err != nil {
		t.Fatalf("PutConfig: %v", err)
	}
}

func mustAppend(t *testing.T, s glassbox.Store, e glassbox.Event) {
	t.Helper()
	if err := s.AppendEvent(t.Context(), e); err != nil {
		t.Fatalf("AppendEvent(%s): %v", e.ID, err)
	}
}

func mustPutTask(t *testing.T, s glassbox.Store, tk glassbox.Task) {
	t.Helper()
	if err := s.PutTask(t.Context(), tk); err != nil {
		t.Fatalf("PutTask(%s/%s/%s v%d): %v", tk.ProjectID, tk.Provider, tk.TaskID, tk.Version, err)
	}
}

func mustClaim(t *testing.T, s glassbox.Store, m glassbox.Message) {
	t.Helper()
	if err := s.ClaimMessage(t.Context(), m, lease); err != nil {
		t.Fatalf("ClaimMessage(%s, %s): %v", m.ID, m.ClaimToken, err)
	}
}

func mustEvents(t *testing.T, s glassbox.Store, project string, from, to time.Time) []glassbox.Event {
	t.Helper()
	evs, err := s.EventsBetween(t.Context(), project, from, to)
	if err != nil {
		t.Fatalf("EventsBetween(%s, %v, %v): %v", project, from, to, err)
	}
	return evs
}

func eventIDs(evs []glassbox.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}
