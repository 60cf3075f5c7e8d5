// Package push sends Web Push notifications (RFC 8030, encrypted per RFC 8291,
// signed per RFC 8292 VAPID) through github.com/SherClockHolmes/webpush-go.
//
// It holds the parts that need no database: VAPID keys, the Message and its
// size-capped payload, the Topic per (member, event), the old system's Korean
// templates with the advertising marker, the endpoint AllowList, a Sender that
// classifies each attempt (Delivered, RetryLater, Gone, Failed) and the Backoff
// policy for retries. Storing subscriptions, the outbox and the dispatcher are
// the caller's.
package push
