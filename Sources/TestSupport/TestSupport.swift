import Actors
