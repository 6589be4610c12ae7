package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_DragOrMoveTaskAcrossKanban opens the task board as a staff
// member and moves two of their tasks from pending to in progress: one with
// the card's Start button, one by dragging it to the other column (the
// HTML5 drag events dispatched in the page, with a DataTransfer, as a mouse
// drag fires them). Both go through htmx without a page load, both are in
// the new column after a reload and in the API, and no page logs an error
// or breaks the CSP. Then, in the list, Complete swaps just its row.
func TestBrowser_DragOrMoveTaskAcrossKanban(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	api := srv.SignIn(t, "staff@example.com")
	me := meID(t, srv, api)
	byButton := newTaskAPI(t, srv, api, map[string]any{"title": "Move me with the button", "assigneeID": me})
	byDrag := newTaskAPI(t, srv, api, map[string]any{"title": "Move me by dragging", "assigneeID": me})
	inList := newTaskAPI(t, srv, api, map[string]any{"title": "Complete me in the list", "assigneeID": me})

	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, "staff@example.com")
	check("dashboard")

	inColumn := func(id, status string) string {
		return `!!document.querySelector('[data-testid="column-` + status + `"] #card-` + id + `')`
	}
	openBoard := func(what string) {
		t.Helper()
		load(t, ctx, what, chromedp.Navigate(srv.URL+"/tasks/board?assignee=mine"))
		testutil.WaitJS(t, ctx, stepTimeout, "htmx and app.js to wire the board",
			`window.htmx && document.readyState === "complete" && document.querySelector("[data-task-card]").draggable === true`)
	}

	openBoard("open the board")
	for _, id := range []string{byButton.ID, byDrag.ID} {
		if !eval[bool](t, ctx, inColumn(id, "pending")) {
			t.Fatalf("task %s is not in the pending column", id)
		}
	}
	check("board")

	// With the button: htmx posts the card's form and swaps the board.
	eval[chromedp.Void](t, ctx, `window.__sameDocument = true`)
	do(t, ctx, "click Start", chromedp.Click(chromedp.CSS("#card-"+byButton.ID+` [data-testid="move-in_progress"]`)))
	testutil.WaitJS(t, ctx, stepTimeout, "the card in the in-progress column", inColumn(byButton.ID, "in_progress"))
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the Start button loaded a new page instead of swapping the board")
	}
	testutil.WaitJS(t, ctx, stepTimeout, "the focus back on the moved card",
		`document.activeElement === document.querySelector('#card-`+byButton.ID+` [data-testid="card-title"]')`)
	if got := testutil.Text(t, ctx, testutil.TestID("task-live")); got != "Started “Move me with the button”." {
		t.Errorf("the live region says %q", got)
	}
	check("board after the button")
	openBoard("reload the board")
	if !eval[bool](t, ctx, inColumn(byButton.ID, "in_progress")) {
		t.Error("after a reload the button-moved card is not in progress")
	}

	// By dragging. A column the card cannot go to refuses the drop
	// (dragover not cancelled): its own.
	drag := func(id, to string) bool {
		t.Helper()
		return eval[bool](t, ctx, `(() => {
			const card = document.querySelector("#card-`+id+`");
			const col = document.querySelector('[data-testid="column-`+to+`"]');
			const dt = new DataTransfer();
			card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, cancelable: true, dataTransfer: dt}));
			const over = new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt});
			col.dispatchEvent(over);
			if (over.defaultPrevented) {
				col.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
			}
			card.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
			return over.defaultPrevented;
		})()`)
	}
	if drag(byDrag.ID, "pending") {
		t.Error("a pending card may be dropped on the pending column")
	}
	eval[chromedp.Void](t, ctx, `window.__sameDocument = true`)
	if !drag(byDrag.ID, "in_progress") {
		t.Fatal("the in-progress column refuses the pending card")
	}
	testutil.WaitJS(t, ctx, stepTimeout, "the dragged card in the in-progress column", inColumn(byDrag.ID, "in_progress"))
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the drop loaded a new page instead of swapping the board")
	}
	if got := testutil.Text(t, ctx, testutil.TestID("task-live")); !strings.Contains(got, "Move me by dragging") {
		t.Errorf("the live region says %q", got)
	}
	// The swapped board is wired again (on htmx:load, once it settles): its
	// cards can be dragged.
	testutil.WaitJS(t, ctx, stepTimeout, "the swapped board's cards to be draggable",
		`document.querySelector("#card-`+byDrag.ID+`").draggable === true`)
	check("board after the drop")
	openBoard("reload the board again")
	if !eval[bool](t, ctx, inColumn(byDrag.ID, "in_progress")) {
		t.Error("after a reload the dragged card is not in progress")
	}
	if !eval[bool](t, ctx, inColumn(byButton.ID, "in_progress")) {
		t.Error("after a reload the button-moved card is not in progress")
	}
	check("board after the reload")

	for _, id := range []string{byButton.ID, byDrag.ID} {
		if got := taskAPI(t, srv, api, id); got.Status != "in_progress" {
			t.Errorf("the API has task %s %s", id, got.Status)
		}
	}

	// The list: Complete swaps just the row, in place.
	load(t, ctx, "open the list", chromedp.Click(sel("view-list")))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	row := "#task-" + inList.ID
	eval[chromedp.Void](t, ctx, `window.__sameDocument = true`)
	do(t, ctx, "click Complete in the row", chromedp.Click(chromedp.CSS(row+` [data-testid="move-completed"]`)))
	testutil.WaitJS(t, ctx, stepTimeout, "the row to show Completed",
		`document.querySelector('`+row+` [data-testid="task-status"]')?.innerText === "Completed"`)
	if !eval[bool](t, ctx, `window.__sameDocument === true && document.querySelectorAll('`+row+`').length === 1 && !!document.querySelector('`+row+` form[data-move-to="pending"]')`) {
		t.Error("the row was not swapped in place with a Reopen form")
	}
	if got := testutil.Text(t, ctx, testutil.TestID("task-live")); got != "Completed “Complete me in the list”." {
		t.Errorf("the live region says %q", got)
	}
	check("list after Complete")
	if got := taskAPI(t, srv, api, inList.ID); got.Status != "completed" {
		t.Errorf("the API has the listed task %s", got.Status)
	}
}
