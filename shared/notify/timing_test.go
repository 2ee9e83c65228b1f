package notify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

func heldDone(id, title, link string) glassbox.Message {
	return glassbox.Message{ID: id, ProjectID: "site", Kind: glassbox.MessageTaskDone, Audience: glassbox.AudienceClient,
		Channel: glassbox.ChannelEmail, To: []glassbox.Person{{Name: "Анна Смирнова", Email: "anna@acme.example"}},
		ReplyTo: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"}, State: glassbox.MessageHeld,
		Hold: &glassbox.Hold{Until: t0, Task: glassbox.HeldTask{Title: title, Link: link}}}
}

// The coalesced message counts its tasks with Russian plurals ("1 задача", "3 задачи", "5 задач"), lists each
// with its link, escapes tracker text, and takes an id from its members whatever their order.
func TestCoalesced(t *testing.T) {
	t.Parallel()
	cfg := config("ru")
	var members []glassbox.Message
	for _, title := range []string{"Логотип", "Макет <b>главной</b>", "Каталог", "Корзина", "Оплата"} {
		members = append(members, heldDone("m-"+title, title, "https://trello.com/c/"+title))
	}
	for _, tt := range []struct {
		n    int
		want string
	}{{2, "Готово: 2 задачи — Сайт Акме"}, {5, "Готово: 5 задач — Сайт Акме"}} {
		m, err := notify.Coalesced(cfg, members[:tt.n], nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tt.want || m.Kind != glassbox.MessageTasksDone || len(m.Hold.Members) != tt.n {
			t.Errorf("%d tasks: subject %q, kind %s, %d members; want %q", tt.n, m.Subject, m.Kind, len(m.Hold.Members), tt.want)
		}
	}
	m, err := notify.Coalesced(cfg, members[:3], nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<b>главной") || !strings.Contains(m.HTML, "Макет &lt;b&gt;главной&lt;/b&gt;") {
		t.Errorf("tracker text not escaped:\n%s", m.HTML)
	}
	reversed, _ := notify.Coalesced(cfg, []glassbox.Message{members[2], members[1], members[0]}, nil)
	if reversed.ID != m.ID {
		t.Errorf("the same members in another order make another id")
	}
	if _, err := notify.Coalesced(cfg, members[:1], nil); err == nil {
		t.Errorf("one notice was coalesced; it goes as itself")
	}
}

func TestPluralsRU(t *testing.T) {
	t.Parallel()
	cfg := config("ru")
	for n, want := range map[int]string{2: "2 задачи", 4: "4 задачи", 5: "5 задач", 11: "11 задач", 12: "12 задач", 21: "21 задача", 22: "22 задачи", 25: "25 задач"} {
		var ms []glassbox.Message
		for i := 0; i < n; i++ {
			ms = append(ms, heldDone(strings.Repeat("x", i+1), "T", ""))
		}
		m, err := notify.Coalesced(cfg, ms, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Subject, " "+want+" ") {
			t.Errorf("%d: subject %q, want %q", n, m.Subject, want)
		}
	}
}

// The wording of the two new kinds, in both locales.
func TestTimingGolden(t *testing.T) {
	t.Parallel()
	task := glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c1", Title: "Макет главной страницы",
		URL: "https://trello.com/c/Ab3dEf9h", ListName: "В работе", Status: glassbox.StatusInProgress,
		Due: time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)}
	for _, locale := range []string{"ru", "en"} {
		cfg := config(locale)
		members := []glassbox.Message{
			heldDone("m1", "Макет главной страницы", "https://www.figma.com/file/abc"),
			heldDone("m2", "Каталог", "https://trello.com/c/Zx9"),
			heldDone("m3", "Корзина", ""),
		}
		for i := range members[:2] {
			// Tasks with an id get their approval links; the third, without one, gets none.
			members[i].Hold.Task.Provider, members[i].Hold.Task.TaskID = "trello", "c"+members[i].ID
		}
		coalesced, err := notify.Coalesced(cfg, members, approvals)
		if err != nil {
			t.Fatal(err)
		}
		overdue, err := notify.Overdue(cfg, cfg.Projects[0], task)
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) != 1 || overdue[0].Audience != glassbox.AudienceManager || overdue[0].To[0].Email != "maria@studio.example" {
			t.Fatalf("overdue = %+v, want one email to the manager", overdue)
		}
		for name, m := range map[string]glassbox.Message{"tasks_done": coalesced, "task_overdue": overdue[0]} {
			got := "Subject: " + m.Subject + "\n\n" + m.Text + "\n---- HTML ----\n" + m.HTML + "\n"
			path := filepath.Join("testdata", locale+"_"+name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != got {
				t.Errorf("%s differs from golden:\n%s", path, got)
			}
		}
	}
}

// A coalesced Telegram message lists only as many tasks as keep its text within Telegram's 4096 characters
// (UTF-16 code units, the markup counted too, so the parsed text is shorter still): the longest such run, every
// one of them listed; an email lists them all.
func TestCoalescedFittingTelegram(t *testing.T) {
	t.Parallel()
	cfg := config("ru")
	const batch = 50 // react.MaxBatch
	var onTelegram, byEmail []glassbox.Message
	for i := range batch {
		title := fmt.Sprintf("Задача %02d ", i) + strings.Repeat("очень длинное название ", 30) // cut at 500 characters
		m := heldDone(fmt.Sprintf("m%02d", i), title, fmt.Sprintf("https://trello.com/c/card%02d", i))
		byEmail = append(byEmail, m)
		m.Channel, m.Chat, m.To = glassbox.ChannelTelegram, "-100123", nil
		onTelegram = append(onTelegram, m)
	}
	m, n, err := notify.CoalescedFitting(cfg, onTelegram, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 || n >= batch {
		t.Fatalf("Telegram message lists %d of %d tasks, want some but not all", n, batch)
	}
	if l := len(utf16.Encode([]rune(m.HTML))); l > 4096 {
		t.Errorf("Telegram text is %d UTF-16 code units, over 4096", l)
	}
	if len(m.Hold.Members) != n {
		t.Errorf("message has %d members, lists %d", len(m.Hold.Members), n)
	}
	for i := range batch {
		if listed := strings.Contains(m.HTML, fmt.Sprintf("Задача %02d ", i)); listed != (i < n) {
			t.Errorf("task %d listed = %v, want %v (the first %d)", i, listed, i < n, n)
		}
	}
	longer, err := notify.Coalesced(cfg, onTelegram[:n+1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := len(utf16.Encode([]rune(longer.HTML))); l <= 4096 {
		t.Errorf("%d tasks would fit too (%d code units): the run is not the longest", n+1, l)
	}
	if _, n, err := notify.CoalescedFitting(cfg, byEmail, nil); err != nil || n != batch {
		t.Errorf("email lists %d of %d tasks (%v), want all", n, batch, err)
	}
	if m, n, err := notify.CoalescedFitting(cfg, onTelegram[:1], nil); err != nil || n != 1 || m.ID != "" {
		t.Errorf("one task: %d, %q, %v; want it to go by itself", n, m.ID, err)
	}
}
