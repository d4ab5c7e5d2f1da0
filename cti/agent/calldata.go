package agent

import (
	"fmt"

	"github.com/ctiload/ctiload/cti"
)

// CallData is the data a desktop attaches to a call: on CONSULTATION_CALL_REQ, MAKE_CALL_REQ and
// SET_CALL_DATA_REQ.
type CallData struct {
	// Variables sets CallVariable1 … CallVariable10 by number. A listed variable is sent even
	// when empty, which clears it.
	Variables map[int]string
	// NamedVariables are ECC variables ("user.account" = "42").
	NamedVariables []cti.NamedVariable
	// Wrapup is CallWrapupData, sent when not empty.
	Wrapup string
	// ClearWrapup sends an empty CallWrapupData, which clears the call's wrap-up data.
	ClearWrapup bool
}

// MaxCallVariables is the number of call variables (CallVariable1 … CallVariable10).
const MaxCallVariables = 10

// callDataFields points at a request's call-data fields: the three requests that carry call
// data have the same fields in different structs.
type callDataFields struct {
	vars    [MaxCallVariables]*string
	wrapup  *string
	named   *[]cti.NamedVariable
	present *cti.TagSet
}

// fill copies cd into f; a variable number outside 1…10 is an error.
func (cd CallData) fill(f callDataFields) error {
	for n, v := range cd.Variables {
		if n < 1 || n > MaxCallVariables {
			return fmt.Errorf("%w: call variable %d: want 1 to %d", ErrInvalidArgument, n, MaxCallVariables)
		}
		*f.vars[n-1] = v
		f.present.Add(cti.TagCallVariable1 + uint16(n-1)) // tags 13…22 in order
	}
	if cd.NamedVariables != nil {
		*f.named = cd.NamedVariables
	}
	if cd.Wrapup != "" || cd.ClearWrapup {
		*f.wrapup = cd.Wrapup
		f.present.Add(cti.TagCallWrapupData)
	}
	return nil
}
