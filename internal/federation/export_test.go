package federation

import "context"

// Endpoint opens the credential of remote id, as a run does.
func (s *Service) Endpoint(ctx context.Context, id string) (Endpoint, error) {
	r, err := s.store.Remote(ctx, id)
	if err != nil {
		return Endpoint{}, err
	}
	return s.endpoint(r)
}

// Transplant copies the sealed credential of remote from to remote to, as
// somebody with access to the database might.
func (s *Service) Transplant(ctx context.Context, from, to string) error {
	a, err := s.store.Remote(ctx, from)
	if err != nil {
		return err
	}
	b, err := s.store.Remote(ctx, to)
	if err != nil {
		return err
	}
	b.Sealed = a.Sealed
	return s.store.Update(ctx, func(tx Tx) error { return tx.UpdateRemote(ctx, b) })
}
