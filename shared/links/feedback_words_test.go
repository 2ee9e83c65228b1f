package links

import (
	"reflect"
	"testing"
)

// Every wording of the feedback pages says every thing: a field left out of one language is an empty heading
// on its pages (the Russian thanks for a rating was).
func TestFeedbackWordsComplete(t *testing.T) {
	for _, w := range []feedbackWords{feedbackRU, feedbackEN} {
		v := reflect.ValueOf(w)
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%s wording: %s is empty", w.lang, v.Type().Field(i).Name)
			}
		}
	}
}
