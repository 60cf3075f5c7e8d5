package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// liveWriteTimeout bounds one write to a stream: a client that stops
// reading is cut off rather than holding its handler forever.
const liveWriteTimeout = 10 * time.Second

// liveMessage is the data of one SSE message of GET
// /owner/stores/{storeId}/live.
type liveMessage struct {
	Type      string         `json:"type"` // claim | use | stock
	EventID   int64          `json:"eventId"`
	StoreID   int64          `json:"storeId"`
	Issued    int            `json:"issued"`
	Used      int            `json:"used"`
	Remaining int            `json:"remaining"`
	Total     int            `json:"total"`
	Status    string         `json:"status"` // the event's: ACTIVE | PAUSED | CANCELED
	At        couponpop.Time `json:"at"`
}

func newLiveMessage(c store.LiveChange) liveMessage {
	return liveMessage{Type: c.Kind, EventID: c.EventID, StoreID: c.StoreID, Issued: c.Issued, Used: c.Used,
		Remaining: c.Remaining(), Total: c.Total, Status: c.Status, At: couponpop.Time{Time: c.At}}
}

// handleLive streams a store's claims, uses and stock changes as
// Server-Sent Events. The message id is the shard's change id: a client
// that reconnects with Last-Event-ID first gets the changes it missed
// (those the shard still keeps), then the live ones.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	st, db, err := s.ownStoreFromPath(r, couponpop.EStoreAccessPermissionDenied)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	after, err := lastEventID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hub := s.live[db.Shard()]
	if hub == nil {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "live updates of shard %d are not running on this node", db.Shard()))
		return
	}
	sub, err := hub.subscribe(st.ID)
	if err != nil {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "%v", err))
		return
	}
	defer hub.unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx and friends: do not buffer
	w.WriteHeader(http.StatusOK)
	out := &sseWriter{rc: http.NewResponseController(w), w: bufio.NewWriterSize(w, 4096)}
	out.field("retry", "2000")
	out.end()
	if err := out.flush(); err != nil {
		return
	}
	if after >= 0 {
		if err := s.catchUp(r.Context(), db, out, st.ID, after, sub.from); err != nil {
			return
		}
	}
	heartbeat := time.NewTicker(s.liveCfg.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.gone:
			out.comment("closed: the stream fell behind or the server is stopping; reconnect with Last-Event-ID")
			out.flush()
			return
		case <-heartbeat.C:
			out.comment("heartbeat")
		case frame := <-sub.ch:
			out.w.Write(frame)
		drain: // write what else is queued, then flush once
			for {
				select {
				case frame := <-sub.ch:
					out.w.Write(frame)
				default:
					break drain
				}
			}
		}
		if err := out.flush(); err != nil {
			return
		}
	}
}

// catchUp writes the store's changes after id after up to upTo (the hub's
// position when the stream subscribed; later ones come from the hub).
func (s *Server) catchUp(ctx context.Context, db *store.DB, out *sseWriter, storeID, after, upTo int64) error {
	if first, err := db.FirstLiveChangeID(ctx); err == nil && first > after+1 {
		out.comment("changes before id " + strconv.FormatInt(first, 10) + " are no longer kept: reload the counts")
	}
	for after < upTo {
		changes, err := db.LiveChangesOfStore(ctx, storeID, after, liveReadBatch)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.ID > upTo {
				return out.flush()
			}
			out.change(c)
		}
		if err := out.flush(); err != nil {
			return err
		}
		if len(changes) < liveReadBatch {
			return nil
		}
		after = changes[len(changes)-1].ID
	}
	return nil
}

// lastEventID reads Last-Event-ID (the header, or ?lastEventId= for
// clients that cannot set headers); -1 when absent.
func lastEventID(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		v = strings.TrimSpace(r.URL.Query().Get("lastEventId"))
	}
	if v == "" {
		return -1, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, couponpop.Errorf(couponpop.EINVALID, "Last-Event-ID must be a message id from this stream")
	}
	return id, nil
}

// sseWriter writes Server-Sent Events through a buffer; every flush has a
// write deadline so a stalled client cannot hold its handler.
type sseWriter struct {
	rc  *http.ResponseController
	w   *bufio.Writer
	err error
}

func (o *sseWriter) field(name, value string) {
	o.w.WriteString(name)
	o.w.WriteString(": ")
	o.w.WriteString(value)
	o.w.WriteByte('\n')
}

func (o *sseWriter) end() { o.w.WriteByte('\n') }

func (o *sseWriter) comment(text string) {
	o.w.WriteString(": ")
	o.w.WriteString(text)
	o.w.WriteString("\n\n")
}

func (o *sseWriter) change(c store.LiveChange) { o.w.Write(liveFrame(c)) }

// liveFrame is the SSE message of a change: its id and JSON data.
func liveFrame(c store.LiveChange) []byte {
	data, _ := json.Marshal(newLiveMessage(c))
	b := make([]byte, 0, len(data)+32)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

func (o *sseWriter) flush() error {
	if o.err != nil {
		return o.err
	}
	_ = o.rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout))
	if o.err = o.w.Flush(); o.err == nil {
		o.err = o.rc.Flush()
	}
	return o.err
}
