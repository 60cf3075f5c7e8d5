package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// PushSubscription is a member's Web Push subscription (shard 0).
type PushSubscription struct {
	MemberID         int64
	Endpoint         string
	P256dh           string
	Auth             string
	DeviceIdentifier string
}

// UpsertPushSubscription stores sub by its endpoint: a known endpoint takes
// the new keys, member and device.
func (db *DB) UpsertPushSubscription(ctx context.Context, sub PushSubscription) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		_, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions (endpoint, member_id, p256dh, auth, device_identifier, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (endpoint) DO UPDATE SET member_id = excluded.member_id, p256dh = excluded.p256dh,
				auth = excluded.auth, device_identifier = excluded.device_identifier, updated_at = excluded.updated_at`,
			sub.Endpoint, sub.MemberID, sub.P256dh, sub.Auth, sub.DeviceIdentifier, now, now)
		return err
	})
}

// DeletePushSubscription removes the member's subscription at endpoint
// (none is no error). A deviceIdentifier given instead removes the
// device's subscriptions: logout sends either.
func (db *DB) DeletePushSubscription(ctx context.Context, memberID int64, endpoint, deviceIdentifier string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		if endpoint != "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE member_id = ? AND endpoint = ?`, memberID, endpoint)
			return err
		}
		if deviceIdentifier == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE member_id = ? AND device_identifier = ?`, memberID, deviceIdentifier)
		return err
	})
}

// DeleteMemberPushSubscriptions removes all of a member's subscriptions and
// device tokens (withdrawal).
func (db *DB) DeleteMemberPushSubscriptions(ctx context.Context, memberID int64) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		for _, q := range []string{`DELETE FROM push_subscriptions WHERE member_id = ?`, `DELETE FROM fcm_tokens WHERE member_id = ?`,
			`DELETE FROM location_reports WHERE member_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, memberID); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteGoneSubscription removes the subscription at endpoint, whoever
// holds it: the push service answered 404 or 410 for it.
func (db *DB) DeleteGoneSubscription(ctx context.Context, endpoint string) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint = ?`, endpoint)
		return err
	})
	return err
}

// PushSubscriptions returns the member's subscriptions, oldest first.
func (db *DB) PushSubscriptions(ctx context.Context, memberID int64) ([]PushSubscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT member_id, endpoint, p256dh, auth, device_identifier
		FROM push_subscriptions WHERE member_id = ? ORDER BY created_at, endpoint`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PushSubscription
	for rows.Next() {
		var s PushSubscription
		if err := rows.Scan(&s.MemberID, &s.Endpoint, &s.P256dh, &s.Auth, &s.DeviceIdentifier); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PushSubscriptionsOf returns the subscriptions of the members, by member,
// in one query; members without any are absent.
func (db *DB) PushSubscriptionsOf(ctx context.Context, memberIDs []int64) (map[int64][]PushSubscription, error) {
	out := map[int64][]PushSubscription{}
	if len(memberIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(memberIDs)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT member_id, endpoint, p256dh, auth, device_identifier
		FROM push_subscriptions WHERE member_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, endpoint`, string(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s PushSubscription
		if err := rows.Scan(&s.MemberID, &s.Endpoint, &s.P256dh, &s.Auth, &s.DeviceIdentifier); err != nil {
			return nil, err
		}
		out[s.MemberID] = append(out[s.MemberID], s)
	}
	return out, rows.Err()
}

// PushSubscriptionByEndpoint returns the subscription at endpoint, or
// ok false.
func (db *DB) PushSubscriptionByEndpoint(ctx context.Context, endpoint string) (PushSubscription, bool, error) {
	var s PushSubscription
	err := db.read.QueryRowContext(ctx, `SELECT member_id, endpoint, p256dh, auth, device_identifier
		FROM push_subscriptions WHERE endpoint = ?`, endpoint).Scan(&s.MemberID, &s.Endpoint, &s.P256dh, &s.Auth, &s.DeviceIdentifier)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// UpsertFCMToken keeps a v2 app's device token (POST /fcm-token). Nothing
// is sent to it: Web Push is the channel.
func (db *DB) UpsertFCMToken(ctx context.Context, memberID int64, deviceIdentifier, token, deviceType string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO fcm_tokens (member_id, device_identifier, fcm_token, device_type, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, device_identifier) DO UPDATE SET
			fcm_token = excluded.fcm_token, device_type = excluded.device_type, updated_at = excluded.updated_at`,
			memberID, deviceIdentifier, token, deviceType, millis(tx.now))
		return err
	})
}

// DeleteFCMToken removes a device token by its value (logout sends it).
func (db *DB) DeleteFCMToken(ctx context.Context, memberID int64, token string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM fcm_tokens WHERE member_id = ? AND fcm_token = ?`, memberID, token)
		return err
	})
}

// NotificationSettings is a member's consent to advertising pushes.
type NotificationSettings struct {
	Marketing bool `json:"marketing"`
	Night     bool `json:"night"`
}

// SetNotificationSettings replaces the member's consent.
func (db *DB) SetNotificationSettings(ctx context.Context, memberID int64, s NotificationSettings) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_settings (member_id, marketing, night, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (member_id) DO UPDATE SET marketing = excluded.marketing, night = excluded.night, updated_at = excluded.updated_at`,
			memberID, s.Marketing, s.Night, millis(tx.now))
		return err
	})
}

// NotificationSettingsOf returns the member's consent: both off unless set.
func (db *DB) NotificationSettingsOf(ctx context.Context, memberID int64) (NotificationSettings, error) {
	var s NotificationSettings
	err := db.read.QueryRowContext(ctx, `SELECT marketing, night FROM notification_settings WHERE member_id = ?`, memberID).Scan(&s.Marketing, &s.Night)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	return s, err
}

// Setting returns a deployment-wide value kept in shard 0, or ok false.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// EnsureSetting returns the value kept under key, storing gen's value first
// if there is none: the first call of a deployment decides it for good.
// Only shard 0's primary may call it.
func (db *DB) EnsureSetting(ctx context.Context, key string, gen func() (string, error)) (string, error) {
	if v, ok, err := db.Setting(ctx, key); err != nil || ok {
		return v, err
	}
	fresh, err := gen()
	if err != nil {
		return "", err
	}
	var v string
	_, err = db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// VAPID keys as kept in settings: "public private".
const vapidSettingKey = "push.vapid-keys"

// EnsureVAPIDKeys returns the deployment's VAPID key pair, made by gen the
// first time. Only shard 0's primary may call it; others use VAPIDKeys.
func (db *DB) EnsureVAPIDKeys(ctx context.Context, gen func() (public, private string, err error)) (public, private string, err error) {
	v, err := db.EnsureSetting(ctx, vapidSettingKey, func() (string, error) {
		pub, priv, err := gen()
		return pub + " " + priv, err
	})
	if err != nil {
		return "", "", err
	}
	public, private, _ = strings.Cut(v, " ")
	return public, private, nil
}

// VAPIDKeys returns the kept key pair, or ok false before the primary made it.
func (db *DB) VAPIDKeys(ctx context.Context) (public, private string, ok bool, err error) {
	v, ok, err := db.Setting(ctx, vapidSettingKey)
	if !ok || err != nil {
		return "", "", false, err
	}
	public, private, _ = strings.Cut(v, " ")
	return public, private, true, nil
}
