package views

// LocationRow is a location the viewer belongs to.
type LocationRow struct {
	ID, Code, Name, TimeZone, Hostname, Phone, Region string
}

// LocationForm is the add-location form's input.
type LocationForm struct {
	Code, Name, TimeZone, Hostname, Phone, Address string
	Errors                                         FieldErrors
}

// LocationsPage lists the viewer's locations and adds one.
type LocationsPage struct {
	Rows []LocationRow
	Form LocationForm
}
