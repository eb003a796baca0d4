-- History triggers behaving as Mission Control's do, written for our tests from the
-- description in /work/shared/reference/mission-control/NOTES.md §1.6 (not copied code).
-- Like the real ones, the status trigger credits the incident's creator, not the actor,
-- and plain user comments (no responder_id) write no history row.

CREATE FUNCTION test_incident_created_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO incident_histories (incident_id, created_by, type, description)
  VALUES (NEW.id, NEW.created_by, 'incident.created', NEW.id::text);
  RETURN NEW;
END $$;

CREATE TRIGGER incident_created_history AFTER INSERT ON incidents
  FOR EACH ROW EXECUTE FUNCTION test_incident_created_history();

CREATE FUNCTION test_incident_status_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO incident_histories (incident_id, created_by, type, description)
    VALUES (NEW.id, NEW.created_by, 'incident.status_updated', NEW.status);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER incident_status_history AFTER UPDATE ON incidents
  FOR EACH ROW EXECUTE FUNCTION test_incident_status_history();

CREATE FUNCTION test_responder_created_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO incident_histories (incident_id, created_by, type, responder_id)
  VALUES (NEW.incident_id, NEW.created_by, 'responder.created', NEW.id);
  RETURN NEW;
END $$;

CREATE TRIGGER responder_created_history AFTER INSERT ON responders
  FOR EACH ROW EXECUTE FUNCTION test_responder_created_history();

CREATE FUNCTION test_responder_comment_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.responder_id IS NOT NULL THEN
    INSERT INTO incident_histories (incident_id, created_by, type, comment_id)
    VALUES (NEW.incident_id, NEW.created_by, 'responder.commented', NEW.id);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER responder_comment_history AFTER INSERT ON comments
  FOR EACH ROW EXECUTE FUNCTION test_responder_comment_history();
